//! Profile pictures: each one is stored as a few square renditions, named by
//! the hash of their bytes, so a new picture always has new URLs and caches
//! never show a stale one.

use time::OffsetDateTime;

use crate::UserId;

/// The formats renditions are stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// For opaque pictures.
    Jpeg,
    /// For pictures with transparency.
    Png,
}

impl ImageFormat {
    /// The media type served.
    #[must_use]
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The file extension.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// The format with this extension.
    #[must_use]
    pub fn from_extension(ext: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png].into_iter().find(|f| f.extension() == ext)
    }
}

/// One stored rendition of a picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureFile {
    /// Its width and height in pixels.
    pub size: u32,
    /// Its format.
    pub format: ImageFormat,
    /// The first 32 hex digits of the SHA-256 of its bytes.
    pub hash: String,
    /// Its length in bytes.
    pub bytes: u64,
}

impl PictureFile {
    /// The rendition of `bytes`, hashing them.
    #[must_use]
    pub fn of(size: u32, format: ImageFormat, bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(bytes);
        Self { size, format, hash: hex::encode(&digest[..16]), bytes: bytes.len() as u64 }
    }

    /// The file name: `{hash}-{size}.{ext}`.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}-{}.{}", self.hash, self.size, self.format.extension())
    }

    /// Splits a file name back into hash, size and format, if it is one.
    #[must_use]
    pub fn parse_name(name: &str) -> Option<(String, u32, ImageFormat)> {
        let (stem, ext) = name.rsplit_once('.')?;
        let format = ImageFormat::from_extension(ext)?;
        let (hash, size_text) = stem.split_once('-')?;
        let hash_ok = hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let size_ok =
            !size_text.starts_with('0') && size_text.len() <= 4 && size_text.bytes().all(|b| b.is_ascii_digit());
        if !hash_ok || !size_ok {
            return None;
        }
        let size: u32 = size_text.parse().ok().filter(|s| (1..=4096).contains(s))?;
        Some((hash.to_owned(), size, format))
    }
}

/// Which of a user's two pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PictureSlot {
    /// The picture others see.
    Current,
    /// An upload waiting for Save or Cancel.
    Pending,
}

impl PictureSlot {
    /// The stored name, and the first part of its blob keys.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Current => "pictures",
            Self::Pending => "pending",
        }
    }

    /// The slot with this stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Current, Self::Pending].into_iter().find(|s| s.as_str() == text)
    }
}

/// A user's picture: current or pending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Whose.
    pub user_id: UserId,
    /// Which slot.
    pub slot: PictureSlot,
    /// The renditions, largest first.
    pub files: Vec<PictureFile>,
    /// When it was uploaded.
    pub created_at: OffsetDateTime,
    /// For a pending picture, when it is dropped unless saved.
    pub expires_at: Option<OffsetDateTime>,
}

/// The blob key of a file of a picture: `{slot}/{user}/{file name}`.
#[must_use]
pub fn blob_key(slot: PictureSlot, user: UserId, file: &PictureFile) -> String {
    format!("{}/{}/{}", slot.as_str(), user, file.file_name())
}

/// The blob prefixes that hold a user's files (the other place, beside the
/// database, where data about a user is kept), as whole key segments: the
/// keys under them are `{prefix}/{file}`.
#[must_use]
pub fn user_blob_prefixes(user: UserId) -> [String; 2] {
    [PictureSlot::Current, PictureSlot::Pending].map(|slot| format!("{}/{user}", slot.as_str()))
}

impl Picture {
    /// The blob keys of its files.
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        self.files.iter().map(|f| blob_key(self.slot, self.user_id, f)).collect()
    }

    /// The rendition closest to `size` pixels, not smaller when one is big enough.
    #[must_use]
    pub fn file_for(&self, size: u32) -> Option<&PictureFile> {
        let big_enough = self.files.iter().filter(|f| f.size >= size).min_by_key(|f| f.size);
        big_enough.or_else(|| self.files.iter().max_by_key(|f| f.size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_named_by_the_hash_of_its_bytes_and_the_name_parses_back() {
        let file = PictureFile::of(128, ImageFormat::Jpeg, b"some bytes");
        assert_eq!(file.hash.len(), 32);
        assert_ne!(file.hash, PictureFile::of(128, ImageFormat::Jpeg, b"other bytes").hash);
        let name = file.file_name();
        assert_eq!(PictureFile::parse_name(&name), Some((file.hash.clone(), 128, ImageFormat::Jpeg)));
    }

    #[test]
    fn names_that_are_not_file_names_are_refused() {
        let hash = "0123456789abcdef0123456789abcdef";
        for bad in [
            format!("{hash}-128.gif"),
            format!("{hash}-0128.jpg"),
            format!("{hash}-0.jpg"),
            format!("{hash}-99999.jpg"),
            format!("{}-128.jpg", hash.to_uppercase()),
            format!("{}-128.jpg", &hash[1..]),
            format!("../{hash}-128.jpg"),
            "x.jpg".to_owned(),
        ] {
            assert_eq!(PictureFile::parse_name(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_rendition_for_a_size_is_the_smallest_big_enough_one() {
        let files = [512, 256, 128, 64].map(|s| PictureFile::of(s, ImageFormat::Png, &s.to_be_bytes())).to_vec();
        let picture = Picture {
            user_id: UserId::new_v7(1, [1; 10]),
            slot: PictureSlot::Current,
            files,
            created_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: None,
        };
        let pick = |n| picture.file_for(n).map(|f| f.size);
        assert_eq!([pick(64), pick(100), pick(256), pick(1000)], [Some(64), Some(128), Some(256), Some(512)]);
        assert!(picture.keys()[0].starts_with(&format!("pictures/{}/", picture.user_id)));
    }
}
