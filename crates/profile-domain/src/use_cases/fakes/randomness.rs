//! Randomness that returns the queued words first, then a counter.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::ports::Randomness;

/// Randomness that returns the queued words first, then a counter.
pub(crate) struct SeqRandom {
    words: Mutex<VecDeque<u32>>,
    counter: Mutex<u8>,
}

impl SeqRandom {
    pub(crate) fn from_words(words: &[u32]) -> Self {
        Self { words: Mutex::new(words.iter().copied().collect()), counter: Mutex::new(0) }
    }
}

impl Randomness for SeqRandom {
    fn fill(&self, buf: &mut [u8]) {
        if buf.len() == 4
            && let Some(word) = self.words.lock().unwrap().pop_front()
        {
            buf.copy_from_slice(&word.to_be_bytes());
            return;
        }
        let mut counter = self.counter.lock().unwrap();
        *counter = counter.wrapping_add(1);
        buf.fill(*counter);
    }
}
