//! `[invites]`: an invite `expire_after` old (or older) has expired; resend it while
//! resends are left, else rescind it, or only report it.

use super::{Ctx, Sink, UserRule};
use crate::model::Status;
use crate::plan::{ActionKind, Finding};
use crate::policy::OnExpiry;
use crate::snapshot::UserIx;
use crate::time::{self, format_date};

/// The invite-expiry rule.
pub struct Invites;

const RULE: &str = "invites";

impl UserRule for Invites {
    fn name(&self) -> &'static str {
        RULE
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>) {
        let Some(policy) = &ctx.policy.invites else {
            return;
        };
        let u = ctx.store.user(user);
        if u.status() != Status::Invited {
            sink.trace(RULE, false, || {
                format!("status {}: the invites rule looks at invited users", u.status())
            });
            return;
        }
        if ctx.is_protected(user) {
            sink.trace(RULE, false, || "protected: no lifecycle action".to_owned());
            return;
        }
        let Some(invited_at) = u.invited_at() else {
            sink.trace(RULE, false, || {
                "invited, but no invited_at: cannot tell the invite's age".to_owned()
            });
            sink.findings.push(Finding::new(
                "invite_without_date",
                vec![ctx.id(user)],
                "invited user has no invited_at, so roster cannot tell whether the invite expired"
                    .to_owned(),
            ));
            return;
        };
        let expires = time::add(invited_at, policy.expire_after);
        let age = time::ago(invited_at, ctx.as_of);
        let expired = expires.is_some_and(|e| e <= ctx.as_of);
        let base = format!(
            "invited {}, {age}; expire_after {}",
            format_date(invited_at),
            policy.expire_after
        );
        if !expired {
            sink.trace(RULE, false, || format!("{base}: not expired yet"));
            return;
        }
        let resends = u.invite_resends();
        let (kind, reason) = match policy.on_expiry {
            OnExpiry::Report => {
                sink.trace(RULE, true, || {
                    format!("{base}: expired, reported (on_expiry = \"report\")")
                });
                sink.findings.push(Finding::new(
                    "invite_expired",
                    vec![ctx.id(user)],
                    format!("{base}: expired"),
                ));
                return;
            }
            OnExpiry::Rescind => {
                (ActionKind::RescindInvite, format!("{base}: expired (on_expiry = \"rescind\")"))
            }
            OnExpiry::Resend if resends < policy.max_resends => (
                ActionKind::ResendInvite,
                format!(
                    "{base}: expired; resend (resent {resends} so far, max_resends {})",
                    policy.max_resends
                ),
            ),
            OnExpiry::Resend => (
                ActionKind::RescindInvite,
                format!(
                    "{base}: expired and already resent {resends} time{} (max_resends {}): rescind",
                    if resends == 1 { "" } else { "s" },
                    policy.max_resends
                ),
            ),
        };
        sink.trace(RULE, true, || reason.clone());
        sink.actions.push(ctx.action(user, kind, RULE, reason));
    }
}
