//! The domain's conformance suite (`profile_domain::conformance`: every
//! storage port's contracts, checked through the ports alone) on each
//! backend, a fresh database per check.

#![expect(clippy::unwrap_used, reason = "the shared test support fails loudly on any unexpected error")]

mod support;

mod sqlite {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Sqlite));
}

mod postgres {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Postgres));
}

mod mysql {
    profile_domain::storage_conformance!(crate::support::fresh(crate::support::Backend::Mysql));
}
