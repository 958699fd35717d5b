//! Use cases: small services over the ports, holding the business rules.

mod draw;
mod housekeeping;
mod outbox_delivery;
mod profile;
mod sessions;
mod sign_in;

#[cfg(test)]
pub(crate) mod fakes;

pub use housekeeping::{Housekeeping, RetentionPolicy};
pub use outbox_delivery::{DeliveryReport, OutboxDelivery, RetryPolicy};
pub use profile::{ProfileError, Profiles};
pub use sessions::{AuthError, Authenticated, SessionPolicy, Sessions};
pub use sign_in::{SignIn, SignInPolicy, SignedIn, StartSignInError, VerifySignInError};
