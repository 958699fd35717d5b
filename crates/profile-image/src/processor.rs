//! `PictureProcessor`: the pipeline on a pool of threads of its own,
//! `parallel` of them. Decoding a large upload allocates tens of megabytes;
//! on the general blocking pool every decode could land on another thread,
//! and the allocator keeps what each thread freed apart (glibc's arenas), so
//! a burst of uploads left the server holding several times the memory any
//! moment needed. On a fixed set of threads the same memory is reused.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use profile_domain::PortError;
use profile_domain::ports::{Crop, PictureProcessor, PictureRejected, Rendition};
use tokio::sync::oneshot;

use crate::ImageLimits;

type Outcome = Result<Vec<Rendition>, PictureRejected>;

/// One picture to process and where its outcome goes.
struct Job {
    upload: Vec<u8>,
    crop: Option<Crop>,
    reply: oneshot::Sender<Outcome>,
}

/// Processes uploads off the async executor, at most `parallel` at once.
pub struct ImageProcessor {
    limits: Arc<ImageLimits>,
    jobs: Mutex<Sender<Job>>,
}

impl ImageProcessor {
    /// A processor with these limits, running `parallel` (at least one)
    /// pictures at once on threads of its own; they end when it is dropped.
    ///
    /// # Errors
    /// When the system refuses to start a thread.
    pub fn new(limits: ImageLimits, parallel: usize) -> std::io::Result<Self> {
        let limits = Arc::new(limits);
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..parallel.max(1) {
            let (limits, queue) = (limits.clone(), queue.clone());
            std::thread::Builder::new().name(format!("picture-{n}")).spawn(move || work(&limits, &queue))?;
        }
        Ok(Self { limits, jobs: Mutex::new(jobs) })
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> &ImageLimits {
        &self.limits
    }
}

/// Takes jobs until the processor is gone. A job whose caller went away
/// (a cancelled request) still runs to its end, holding its thread, so no
/// more than `parallel` decodes ever run.
fn work(limits: &ImageLimits, queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        let outcome = crate::process(limits, &job.upload, job.crop);
        drop(job.upload);
        let _ = job.reply.send(outcome);
    }
}

#[async_trait]
impl PictureProcessor for ImageProcessor {
    async fn process(
        &self,
        upload: Vec<u8>,
        crop: Option<Crop>,
    ) -> Result<Result<Vec<Rendition>, PictureRejected>, PortError> {
        let (reply, outcome) = oneshot::channel();
        let sent = self.jobs.lock().unwrap_or_else(PoisonError::into_inner).send(Job { upload, crop, reply });
        sent.map_err(|_| PortError::msg("the picture threads have stopped"))?;
        outcome.await.map_err(|_| PortError::msg("picture processing failed on its thread"))
    }
}
