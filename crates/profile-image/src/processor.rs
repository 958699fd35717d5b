//! `PictureProcessor`: the pipeline on blocking threads, a bounded number
//! at a time.

use std::sync::Arc;

use async_trait::async_trait;
use profile_domain::PortError;
use profile_domain::ports::{Crop, PictureProcessor, PictureRejected, Rendition};
use tokio::sync::Semaphore;

use crate::ImageLimits;

/// Processes uploads off the async executor, at most `parallel` at once.
pub struct ImageProcessor {
    limits: Arc<ImageLimits>,
    permits: Arc<Semaphore>,
}

impl ImageProcessor {
    /// A processor with these limits, running at most `parallel` (at least
    /// one) pictures at once.
    #[must_use]
    pub fn new(limits: ImageLimits, parallel: usize) -> Self {
        Self { limits: Arc::new(limits), permits: Arc::new(Semaphore::new(parallel.max(1))) }
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &ImageLimits {
        &self.limits
    }
}

#[async_trait]
impl PictureProcessor for ImageProcessor {
    async fn process(
        &self,
        upload: Vec<u8>,
        crop: Option<Crop>,
    ) -> Result<Result<Vec<Rendition>, PictureRejected>, PortError> {
        // The permit goes with the work: a cancelled request does not free
        // its slot while its decoding still runs.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| PortError::new("the picture processor is shut down", e))?;
        let limits = self.limits.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            crate::process(&limits, &upload, crop)
        })
        .await
        .map_err(|e| PortError::new("picture processing panicked", e))
    }
}
