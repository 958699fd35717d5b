//! Which rows belong to a user: the one rule the export and the erasure
//! share. Rows that name the user's id are theirs. Rows found by an address
//! (sign-in codes, messages) are theirs only for the time the address was
//! theirs: an address can pass to someone else, and what was sent to it
//! afterwards is that person's. A message that names the account it is
//! about is that account's too (the erasure deletes it wherever it went; the
//! export shows it only when it went to one of the user's addresses, since
//! a code sent to an address asked for and never confirmed would tell the
//! user which addresses have accounts).

use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::convert::db;
use crate::entities::{account, email_change_history};
use crate::registry::Owner;
use profile_domain::PortError;

/// A stretch of time during which the user held an address, in Unix
/// milliseconds, both ends included; `None` is unbounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tenure {
    /// The address.
    pub address: String,
    /// From when (`None`: since before anyone else is known to have held it).
    pub from_ms: Option<i64>,
    /// Until when (`None`: still).
    pub until_ms: Option<i64>,
}

/// Who reads the rows: the export shows less than the erasure deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Rows found by address within a tenure, and messages about the user
    /// sent to an address that was ever theirs.
    Export,
    /// Rows found by address within a tenure, and every message about the
    /// user wherever it went.
    Erasure,
}

/// Which rows a user owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ownership {
    user: Uuid,
    tenures: Vec<Tenure>,
}

/// An account's address changes, as the tenures need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub old_email: String,
    pub new_email: String,
    pub changed_at_ms: i64,
    pub reverted_at_ms: Option<i64>,
}

impl From<&email_change_history::Model> for Change {
    fn from(row: &email_change_history::Model) -> Self {
        Self {
            old_email: row.old_email.clone(),
            new_email: row.new_email.clone(),
            changed_at_ms: row.changed_at_ms,
            reverted_at_ms: row.reverted_at_ms,
        }
    }
}

impl Ownership {
    /// The user's tenures from their account and its address history;
    /// `None` when there is no such account.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    pub(crate) async fn of(conn: &impl ConnectionTrait, user: Uuid) -> Result<Option<Self>, PortError> {
        let Some(account) = account::Entity::find_by_id(user).one(conn).await.map_err(db("reading the account"))?
        else {
            return Ok(None);
        };
        let changes = email_change_history::Entity::find()
            .filter(email_change_history::Column::UserId.eq(user))
            .order_by_asc(email_change_history::Column::ChangedAtMs)
            .all(conn)
            .await
            .map_err(db("reading the address changes"))?;
        Ok(Some(Self::of_account(conn, &account, &changes).await?))
    }

    /// The tenures of `account`, whose address changes, oldest first, are
    /// `changes` (as the caller read them in its transaction).
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    pub(crate) async fn of_account(
        conn: &impl ConnectionTrait,
        account: &account::Model,
        changes: &[email_change_history::Model],
    ) -> Result<Self, PortError> {
        let changes: Vec<Change> = changes.iter().map(Change::from).collect();
        let first = changes.first().map_or(account.email.as_str(), |c| c.old_email.as_str());
        let before = earlier_holder_left(conn, account.id, first, account.created_at_ms).await?;
        Ok(Self::from_history(account.id, &account.email, before.map(|t| t + 1), &changes))
    }

    /// The tenures of a user whose address is `login` now, whose first
    /// address was theirs from `first_from_ms`, with `changes` oldest
    /// first: each change starts the new address's tenure and ends the
    /// old one's; each revert does the opposite, at its own time.
    pub(crate) fn from_history(user: Uuid, login: &str, first_from_ms: Option<i64>, changes: &[Change]) -> Self {
        let mut moves: Vec<(i64, &str)> = Vec::with_capacity(changes.len() * 2);
        for change in changes {
            moves.push((change.changed_at_ms, &change.new_email));
            if let Some(at) = change.reverted_at_ms {
                moves.push((at, &change.old_email));
            }
        }
        moves.sort_by_key(|(at, _)| *at);
        let mut current = changes.first().map_or(login, |c| c.old_email.as_str());
        let mut from = first_from_ms;
        let mut tenures = Vec::with_capacity(moves.len() + 1);
        for (at, address) in moves {
            tenures.push(Tenure { address: current.to_owned(), from_ms: from, until_ms: Some(at) });
            current = address;
            from = Some(at);
        }
        tenures.push(Tenure { address: current.to_owned(), from_ms: from, until_ms: None });
        if current != login {
            // Not expected (the history explains the login address), but a
            // row sent to the login address is the user's in any case.
            tenures.push(Tenure { address: login.to_owned(), from_ms: from, until_ms: None });
        }
        Self { user, tenures }
    }

    /// The tenures, in order.
    #[cfg(test)]
    pub(crate) fn tenures(&self) -> &[Tenure] {
        &self.tenures
    }

    /// Every address the user has held, once each, sorted.
    pub(crate) fn addresses(&self) -> Vec<String> {
        let mut all: Vec<String> = self.tenures.iter().map(|t| t.address.clone()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The condition that selects the user's rows of a table tied to users
    /// as `owner` says; `None` for a table tied to nobody.
    pub(crate) fn condition(&self, owner: Owner, reach: Reach) -> Option<Condition> {
        match owner {
            Owner::Itself(id) | Owner::UserId(id) => {
                Some(Condition::all().add(Expr::col(Alias::new(id)).eq(self.user)))
            }
            Owner::Email { email, at } => Some(self.held(email, at)),
            Owner::EmailOrAbout { email, at, about } => {
                let about = Expr::col(Alias::new(about)).eq(self.user);
                let about = match reach {
                    Reach::Erasure => Condition::all().add(about),
                    Reach::Export => {
                        Condition::all().add(about).add(Expr::col(Alias::new(email)).is_in(self.addresses()))
                    }
                };
                Some(Condition::any().add(self.held(email, at)).add(about))
            }
            Owner::Nobody => None,
        }
    }

    /// Rows whose `email` column is one of the user's addresses at the
    /// time in their `at` column.
    fn held(&self, email: &'static str, at: &'static str) -> Condition {
        let mut any = Condition::any();
        for tenure in &self.tenures {
            let mut during: SimpleExpr = Expr::col(Alias::new(email)).eq(tenure.address.as_str());
            if let Some(from) = tenure.from_ms {
                during = during.and(Expr::col(Alias::new(at)).gte(from));
            }
            if let Some(until) = tenure.until_ms {
                during = during.and(Expr::col(Alias::new(at)).lte(until));
            }
            any = any.add(during);
        }
        any
    }
}

/// When another account last stopped holding `address` up to `until_ms`
/// (the user's first address was theirs only after that), if one did.
async fn earlier_holder_left(
    conn: &impl ConnectionTrait,
    user: Uuid,
    address: &str,
    until_ms: i64,
) -> Result<Option<i64>, PortError> {
    let others = email_change_history::Entity::find()
        .filter(email_change_history::Column::UserId.ne(user))
        .filter(
            Condition::any()
                .add(email_change_history::Column::OldEmail.eq(address))
                .add(email_change_history::Column::NewEmail.eq(address)),
        )
        .all(conn)
        .await
        .map_err(db("reading who held an address before"))?;
    let left = others.iter().flat_map(|row| {
        let moved_off = (row.old_email == address).then_some(row.changed_at_ms);
        let reverted_off = (row.new_email == address).then_some(row.reverted_at_ms).flatten();
        moved_off.into_iter().chain(reverted_off)
    });
    Ok(left.filter(|at| *at <= until_ms).max())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(old: &str, new: &str, at: i64, reverted: Option<i64>) -> Change {
        Change { old_email: old.into(), new_email: new.into(), changed_at_ms: at, reverted_at_ms: reverted }
    }

    fn tenure(address: &str, from: Option<i64>, until: Option<i64>) -> Tenure {
        Tenure { address: address.into(), from_ms: from, until_ms: until }
    }

    #[test]
    fn an_account_that_never_moved_holds_its_address_from_the_start() {
        let o = Ownership::from_history(Uuid::nil(), "a@x", None, &[]);
        assert_eq!(o.tenures(), [tenure("a@x", None, None)]);
        let o = Ownership::from_history(Uuid::nil(), "a@x", Some(5), &[]);
        assert_eq!(o.tenures(), [tenure("a@x", Some(5), None)], "after an earlier holder left");
    }

    #[test]
    fn each_change_ends_one_tenure_and_starts_the_next() {
        let o = Ownership::from_history(
            Uuid::nil(),
            "c@x",
            None,
            &[change("a@x", "b@x", 10, None), change("b@x", "c@x", 20, None)],
        );
        assert_eq!(
            o.tenures(),
            [tenure("a@x", None, Some(10)), tenure("b@x", Some(10), Some(20)), tenure("c@x", Some(20), None)]
        );
        assert_eq!(o.addresses(), ["a@x", "b@x", "c@x"]);
    }

    #[test]
    fn a_revert_gives_the_old_address_back_from_its_own_time() {
        // a → b at 10, b → c at 20, the first change reverted at 30: a again.
        let changes = [change("a@x", "b@x", 10, Some(30)), change("b@x", "c@x", 20, None)];
        let o = Ownership::from_history(Uuid::nil(), "a@x", None, &changes);
        assert_eq!(
            o.tenures(),
            [
                tenure("a@x", None, Some(10)),
                tenure("b@x", Some(10), Some(20)),
                tenure("c@x", Some(20), Some(30)),
                tenure("a@x", Some(30), None),
            ]
        );
    }
}
