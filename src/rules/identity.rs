//! `identity_reused`: a seat renamed instead of deactivated and re-added.
//!
//! With the previous snapshot at hand (`roster plan --previous`), a user id whose e-mail
//! and name both changed most likely now belongs to another person: the history of who
//! worked each record would silently move to them. Deactivating the leaver and adding the
//! newcomer keeps that history and cuts the leaver's access at once.

use super::Ctx;
use crate::plan::Finding;
use crate::snapshot::Store;
use rayon::prelude::*;

/// Findings for every user whose e-mail and name both differ from the previous snapshot.
pub fn identity_reused<'a>(ctx: &Ctx<'a, '_>, previous: &Store) -> Vec<Finding<'a>> {
    let store = ctx.store;
    (0..store.users.len() as u32)
        .into_par_iter()
        .filter_map(|ix| {
            let u = store.user(crate::snapshot::UserIx(ix));
            let old = previous.user(previous.user_ix(u.id())?);
            let (old_email, new_email) = (old.email()?, u.email()?);
            let (old_name, new_name) = (old.name()?, u.name()?);
            let email_changed = !old_email.trim().eq_ignore_ascii_case(new_email.trim());
            let name_changed = old_name.trim() != new_name.trim();
            (email_changed && name_changed).then(|| {
                Finding::new(
                    "identity_reused",
                    vec![u.id().into()],
                    format!(
                        "{} was {old_name} <{old_email}> in the previous snapshot and is now {new_name} <{new_email}>: \
                         the seat was renamed instead of deactivated and re-added, so the history of who worked its \
                         records now points at someone else and the earlier user may still be signed in",
                        u.id()
                    ),
                )
            })
        })
        .collect()
}
