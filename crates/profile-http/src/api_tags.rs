//! The groups the API document sorts operations into.

use poem_openapi::Tags;

/// One group of operations in the API document.
#[derive(Tags)]
pub(crate) enum ApiTags {
    /// Passwordless sign-in and sessions
    Auth,
    /// The signed-in user's profile
    Profile,
    /// Consent to emails and uses of data
    Consent,
    /// For the operator's systems (operator API key)
    Operator,
    /// For mailing-list providers (signed webhooks)
    Providers,
    /// For the product's other services (service keys)
    Services,
}
