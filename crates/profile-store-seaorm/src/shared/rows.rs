//! Rows and the domain's values, both ways, for the tables more than one
//! port implementation reads or writes.

use profile_domain::{
    Account, DisplayName, EmailAddress, EmailContent, ImageFormat, OutgoingEmail, Picture, PictureFile, PictureSlot,
    PortError, UserId,
};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};

use crate::convert::{from_ms, to_ms};
pub(crate) use crate::entities::outbox_message::{self as message, Entity as message_entity};
use crate::entities::{account, picture};

/// The status of a message waiting to be sent.
pub(crate) const MESSAGE_PENDING: &str = "pending";

/// A stored row back as the domain's account.
pub(crate) fn account_from_row(row: account::Model) -> Result<Account, PortError> {
    let email = EmailAddress::parse(&row.email).map_err(|e| PortError::new("stored email is invalid", e))?;
    let display_name = row
        .display_name
        .map(|n| DisplayName::parse(&n))
        .transpose()
        .map_err(|e| PortError::new("stored display name is invalid", e))?;
    Ok(Account {
        id: UserId::from_uuid(row.id),
        email,
        display_name,
        created_at: from_ms(row.created_at_ms)?,
        updated_at: from_ms(row.updated_at_ms)?,
    })
}

/// The domain's account as a row to insert.
pub(crate) fn account_to_row(account: &Account) -> account::ActiveModel {
    account::ActiveModel {
        id: Set(account.id.as_uuid()),
        email: Set(account.email.as_str().to_owned()),
        display_name: Set(account.display_name.as_ref().map(|n| n.as_str().to_owned())),
        created_at_ms: Set(to_ms(account.created_at)),
        updated_at_ms: Set(to_ms(account.updated_at)),
        notice_seq: sea_orm::ActiveValue::NotSet,
    }
}

/// A message as a new pending row.
pub(crate) fn queued_row(email: &OutgoingEmail) -> message::ActiveModel {
    let payload = match &email.content {
        EmailContent::SignInCode { code, valid_minutes } | EmailContent::EmailChangeCode { code, valid_minutes } => {
            json!({ "code": code, "valid_minutes": valid_minutes })
        }
        EmailContent::EmailChangeAddressInUse | EmailContent::EmailChangeReverted => json!({}),
        EmailContent::AccountDeleted { receipt_url } => json!({ "receipt_url": receipt_url }),
        EmailContent::EmailChangeUndone { restored_masked } => json!({ "restored_masked": restored_masked }),
        EmailContent::EmailChanged { new_email_masked, revert_url, revert_valid_minutes } => json!({
            "new_email_masked": new_email_masked,
            "revert_url": revert_url,
            "revert_valid_minutes": revert_valid_minutes,
        }),
    };
    message::ActiveModel {
        id: Set(email.id.0),
        recipient: Set(email.to.as_str().to_owned()),
        kind: Set(email.content.kind().to_owned()),
        payload: Set(Some(payload.to_string())),
        status: Set(MESSAGE_PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at_ms: Set(to_ms(email.created_at)),
        lease_owner: Set(None),
        lease_until_ms: Set(None),
        last_error: Set(None),
        created_at_ms: Set(to_ms(email.created_at)),
        expires_at_ms: Set(email.expires_at.map(to_ms)),
        finished_at_ms: Set(None),
        about_user_id: Set(email.about.map(|u| u.as_uuid())),
    }
}

/// A picture's files as stored: `[{"size", "format", "hash", "bytes"}]`.
pub(crate) fn files_json(files: &[PictureFile]) -> String {
    let list: Vec<Value> = files
        .iter()
        .map(|f| json!({ "size": f.size, "format": f.format.extension(), "hash": f.hash, "bytes": f.bytes }))
        .collect();
    Value::Array(list).to_string()
}

/// Stored files back as the domain's.
pub(crate) fn files_from_json(text: &str) -> Result<Vec<PictureFile>, PortError> {
    let bad = || PortError::msg("stored picture files are malformed");
    let list: Vec<Value> = serde_json::from_str(text).map_err(|_| bad())?;
    list.iter()
        .map(|f| {
            Some(PictureFile {
                size: u32::try_from(f["size"].as_u64()?).ok()?,
                format: ImageFormat::from_extension(f["format"].as_str()?)?,
                hash: f["hash"].as_str()?.to_owned(),
                bytes: f["bytes"].as_u64()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)
}

/// A stored picture back as the domain's.
pub(crate) fn picture_from_row(row: picture::Model) -> Result<Picture, PortError> {
    let bad = || PortError::msg("stored picture files are malformed");
    let files = files_from_json(&row.files)?;
    Ok(Picture {
        user_id: UserId::from_uuid(row.user_id),
        slot: PictureSlot::parse(&row.slot).ok_or_else(bad)?,
        files,
        created_at: from_ms(row.created_at_ms)?,
        expires_at: row.expires_at_ms.map(from_ms).transpose()?,
    })
}
