//! The JSON body of a notice, as providers receive it (documented in
//! docs/providers.md).

use profile_domain::{ProviderEvent, ProviderNotice};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

fn rfc3339(at: time::OffsetDateTime) -> Value {
    at.format(&Rfc3339).map_or(Value::Null, Value::String)
}

/// The body sent for `notice` at `sent_at`.
#[must_use]
pub fn notice_body(notice: &ProviderNotice, sent_at: time::OffsetDateTime) -> Value {
    let data = match &notice.event {
        ProviderEvent::ConsentChanged { purpose, granted, version, channel, at } => json!({
            "user_id": notice.user_id.to_string(),
            "email": notice.email.as_str(),
            "purpose": purpose.as_str(),
            "granted": granted,
            "purpose_version": version,
            "channel": channel.as_str(),
            "changed_at": rfc3339(*at),
            "sequence": notice.sequence,
        }),
        ProviderEvent::EmailChanged { previous_email, at } => json!({
            "user_id": notice.user_id.to_string(),
            "email": notice.email.as_str(),
            "previous_email": previous_email.as_str(),
            "changed_at": rfc3339(*at),
            "sequence": notice.sequence,
        }),
        ProviderEvent::AccountErased { at } => json!({
            "user_id": notice.user_id.to_string(),
            "email": notice.email.as_str(),
            "erased_at": rfc3339(*at),
            "sequence": notice.sequence,
        }),
    };
    json!({ "type": notice.event.kind(), "timestamp": rfc3339(sent_at), "data": data })
}
