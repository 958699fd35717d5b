//! One-line rendering of an error and its causes, for logs.

use std::error::Error;

/// An error and its sources on one line, `outer: cause: root`. Errors of the
/// domain and its adapters carry no personal data, so this is safe to log.
#[must_use]
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PortError;

    #[test]
    fn every_cause_is_on_the_line_outermost_first() {
        let root = std::io::Error::other("disk full");
        let error = PortError::new("storing a session", root);
        assert_eq!(error_chain(&error), "storing a session: disk full");
    }
}
