//! The JSON body of a notice, as receivers get it (documented in
//! docs/providers.md for mailing-list providers and docs/services.md for
//! the product's services). The address appears only in notices to
//! receivers that are told it.

use profile_domain::{PictureLinks, ProviderEvent, ProviderNotice};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

fn rfc3339(at: time::OffsetDateTime) -> Value {
    at.format(&Rfc3339).map_or(Value::Null, Value::String)
}

/// The body sent for `notice` at `sent_at`; picture URLs under `links`.
#[must_use]
pub fn notice_body(notice: &ProviderNotice, sent_at: time::OffsetDateTime, links: &PictureLinks) -> Value {
    let mut data = match &notice.event {
        ProviderEvent::ConsentChanged { purpose, granted, version, channel, at } => json!({
            "purpose": purpose.as_str(),
            "granted": granted,
            "purpose_version": version,
            "channel": channel.as_str(),
            "changed_at": rfc3339(*at),
        }),
        ProviderEvent::EmailChanged { previous_email, at } => json!({
            "previous_email": previous_email.as_str(),
            "changed_at": rfc3339(*at),
        }),
        ProviderEvent::AccountErased { at } => json!({ "erased_at": rfc3339(*at) }),
        ProviderEvent::ProfileUpdated { profile } => json!({ "profile": profile.to_json(links) }),
    };
    data["user_id"] = json!(notice.user_id.to_string());
    data["sequence"] = json!(notice.sequence);
    if let Some(email) = &notice.email {
        data["email"] = json!(email.as_str());
    }
    json!({ "type": notice.event.kind(), "timestamp": rfc3339(sent_at), "data": data })
}
