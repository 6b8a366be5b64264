//! `[lockout]`: lock an account at `max_failed_logins`; unlock it `unlock_after` the lock.

use super::{Ctx, Sink, UserRule};
use crate::model::Status;
use crate::plan::ActionKind;
use crate::snapshot::UserIx;
use crate::time::{self, format_time};

/// The lockout rule.
pub struct Lockout;

const RULE: &str = "lockout";

impl UserRule for Lockout {
    fn name(&self) -> &'static str {
        RULE
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>) {
        let Some(policy) = &ctx.policy.lockout else {
            return;
        };
        let u = ctx.store.user(user);
        if matches!(u.status(), Status::Deactivated | Status::Left) {
            return;
        }
        let max = policy.max_failed_logins;
        if !u.locked() {
            if u.failed_logins() >= max {
                let reason = format!(
                    "{} failed login{}, at or above max_failed_logins {max}",
                    u.failed_logins(),
                    plural(u.failed_logins())
                );
                sink.trace(RULE, true, || reason.clone());
                sink.actions.push(ctx.action(user, ActionKind::Lock, RULE, reason));
            } else {
                sink.trace(RULE, false, || {
                    format!(
                        "{} failed login{}, below max_failed_logins {max}",
                        u.failed_logins(),
                        plural(u.failed_logins())
                    )
                });
            }
            return;
        }
        let Some(unlock_after) = policy.unlock_after else {
            // No automatic unlock: list the account for an admin to review.
            let since = u.locked_at().map_or(String::new(), |t| {
                format!(" since {} ({})", format_time(t), time::ago(t, ctx.as_of))
            });
            let reason = format!(
                "locked{since} after {} failed login{}; no lockout.unlock_after, so an admin decides whether to unlock",
                u.failed_logins(),
                plural(u.failed_logins())
            );
            sink.trace(RULE, true, || reason.clone());
            sink.findings.push(crate::plan::Finding::new(
                "unlock_candidate",
                vec![ctx.id(user)],
                reason,
            ));
            return;
        };
        let Some(locked_at) = u.locked_at() else {
            sink.trace(RULE, false, || {
                "locked, but no locked_at: cannot tell when to unlock".to_owned()
            });
            return;
        };
        let due = time::add(locked_at, unlock_after);
        let detail = format!(
            "locked at {}, {}; unlock_after {unlock_after}",
            format_time(locked_at),
            time::ago(locked_at, ctx.as_of)
        );
        if due.is_some_and(|d| d <= ctx.as_of) {
            sink.trace(RULE, true, || detail.clone());
            sink.actions.push(ctx.action(user, ActionKind::Unlock, RULE, detail));
        } else {
            sink.trace(RULE, false, || format!("{detail}: not yet"));
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
