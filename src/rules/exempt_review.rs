//! `idle.exempt_review_after`: an exempt account (service, break-glass...) unused this long
//! is a finding `stale_exempt`, so that someone decides whether it is still needed.

use super::{Ctx, Sink, UserRule};
use crate::model::Status;
use crate::plan::Finding;
use crate::snapshot::UserIx;
use crate::time::{self, format_date};

/// The exempt-review rule.
pub struct ExemptReview;

const RULE: &str = "exempt_review";

impl UserRule for ExemptReview {
    fn name(&self) -> &'static str {
        RULE
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>) {
        let Some(idle) = &ctx.policy.idle else { return };
        let Some(review_after) = idle.exempt_review_after else {
            return;
        };
        let u = ctx.store.user(user);
        if !matches!(u.status(), Status::Active | Status::Idle | Status::Suspended) {
            return;
        }
        if !ctx.bound.exempt.matches(ctx.store, user) {
            sink.trace(RULE, false, || {
                "not exempt from the idle rules: nothing to review".to_owned()
            });
            return;
        }
        let since = u.last_login_at().or(u.activated_at()).or(u.invited_at());
        let what = match (u.last_login_at(), since) {
            (Some(t), _) => format!("last login {}, {}", format_date(t), time::ago(t, ctx.as_of)),
            (None, Some(t)) => format!(
                "never logged in; on the account since {}, {}",
                format_date(t),
                time::ago(t, ctx.as_of)
            ),
            (None, None) => "never logged in, no dates at all".to_owned(),
        };
        let stale =
            since.is_none_or(|t| time::add(t, review_after).is_some_and(|due| due <= ctx.as_of));
        let reason = format!("exempt from idle rules; {what}; exempt_review_after {review_after}");
        sink.trace(RULE, stale, || reason.clone());
        if stale {
            sink.findings.push(Finding::new("stale_exempt", vec![ctx.id(user)], reason));
        }
    }
}
