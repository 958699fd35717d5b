//! Rate limits: what each limit allows, and the names of the limits that
//! protect people, which every instance counts in one shared store.

use time::Duration;

/// A limit: at most `max` events per `window`, in fixed windows that start
/// at a key's first event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window.
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

impl RateLimit {
    /// `max` events per `window_secs` seconds.
    #[must_use]
    pub const fn per_secs(max: u32, window_secs: i64) -> Self {
        Self { max, window: Duration::seconds(window_secs) }
    }
}

/// The limits that protect people, each named as in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitName {
    /// `sign_in_per_address`: code requests per address.
    SignInPerAddress,
    /// `sign_in_per_ip`: code requests per client (IPv6 by /64).
    SignInPerClient,
    /// `verify_per_address`: code checks per address, across codes.
    VerifyPerAddress,
    /// `verify_per_ip`: code checks per client.
    VerifyPerClient,
    /// `operator_key_failures_per_ip`: wrong operator keys per client.
    OperatorKeyFailuresPerClient,
    /// `picture_uploads_per_user`: picture uploads per account.
    PictureUploadsPerAccount,
    /// `service_key_failures_per_ip`: wrong service keys per client.
    ServiceKeyFailuresPerClient,
}

impl LimitName {
    /// Every limit.
    pub const ALL: [Self; 7] = [
        Self::SignInPerAddress,
        Self::SignInPerClient,
        Self::VerifyPerAddress,
        Self::VerifyPerClient,
        Self::OperatorKeyFailuresPerClient,
        Self::PictureUploadsPerAccount,
        Self::ServiceKeyFailuresPerClient,
    ];

    /// The name in the configuration (and in the store's counter rows).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignInPerAddress => "sign_in_per_address",
            Self::SignInPerClient => "sign_in_per_ip",
            Self::VerifyPerAddress => "verify_per_address",
            Self::VerifyPerClient => "verify_per_ip",
            Self::OperatorKeyFailuresPerClient => "operator_key_failures_per_ip",
            Self::PictureUploadsPerAccount => "picture_uploads_per_user",
            Self::ServiceKeyFailuresPerClient => "service_key_failures_per_ip",
        }
    }
}

/// The limits in force, each named as in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitPolicy {
    /// `sign_in_per_address` (default 5 per 15 minutes).
    pub sign_in_per_address: RateLimit,
    /// `sign_in_per_ip` (default 30 per 15 minutes).
    pub sign_in_per_ip: RateLimit,
    /// `verify_per_address` (default 10 per 15 minutes): asking for new
    /// codes buys no extra guesses.
    pub verify_per_address: RateLimit,
    /// `verify_per_ip` (default 60 per 15 minutes).
    pub verify_per_ip: RateLimit,
    /// `operator_key_failures_per_ip` (default 10 per 15 minutes).
    pub operator_key_failures_per_ip: RateLimit,
    /// `picture_uploads_per_user` (default 20 per 15 minutes), counted
    /// before the body is read.
    pub picture_uploads_per_user: RateLimit,
    /// `service_key_failures_per_ip` (default 10 per 15 minutes).
    pub service_key_failures_per_ip: RateLimit,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        let quarter_hour = 15 * 60;
        Self {
            sign_in_per_address: RateLimit::per_secs(5, quarter_hour),
            sign_in_per_ip: RateLimit::per_secs(30, quarter_hour),
            verify_per_address: RateLimit::per_secs(10, quarter_hour),
            verify_per_ip: RateLimit::per_secs(60, quarter_hour),
            operator_key_failures_per_ip: RateLimit::per_secs(10, quarter_hour),
            picture_uploads_per_user: RateLimit::per_secs(20, quarter_hour),
            service_key_failures_per_ip: RateLimit::per_secs(10, quarter_hour),
        }
    }
}

impl RateLimitPolicy {
    /// The limit named `name`.
    #[must_use]
    pub const fn get(&self, name: LimitName) -> RateLimit {
        match name {
            LimitName::SignInPerAddress => self.sign_in_per_address,
            LimitName::SignInPerClient => self.sign_in_per_ip,
            LimitName::VerifyPerAddress => self.verify_per_address,
            LimitName::VerifyPerClient => self.verify_per_ip,
            LimitName::OperatorKeyFailuresPerClient => self.operator_key_failures_per_ip,
            LimitName::PictureUploadsPerAccount => self.picture_uploads_per_user,
            LimitName::ServiceKeyFailuresPerClient => self.service_key_failures_per_ip,
        }
    }
}
