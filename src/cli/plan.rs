//! `roster plan`: the nightly compliance run.

use super::args::{load_snapshot, RunArgs};
use super::{Error, Exit};
use crate::engine;
use std::path::PathBuf;

/// Evaluate the policy on a snapshot and write the plan: idle users, expired invites,
/// lockouts, seats, escalations to offboarding, orphaned records and data findings.
#[derive(Debug, clap::Args)]
#[command(after_help = concat!(
        "Examples:\n  \
roster plan --policy policies/default.toml --snapshot examples/acme\n  \
roster plan --policy policies/default.toml --snapshot examples/acme \\\n      \
--out plan.json --out plan.md --fail-on blocked\n\n\
",
        run_exit_status!()
    ))]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// The previous snapshot of the same account: a user id whose e-mail and name both
    /// changed since then is reported as `identity_reused`.
    #[arg(long, value_name = "PATH")]
    previous: Option<PathBuf>,
    #[command(flatten)]
    tenants: super::tenants::TenantArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    if args.tenants.tenants.is_some() {
        return tenants(&args);
    }
    let (output, loaded) = args.run.load(args.previous.as_deref().as_slice())?;
    let previous = match &args.previous {
        Some(path) => Some(load_snapshot(path, &loaded.policy)?),
        None => None,
    };
    let extra =
        engine::Extra { previous: previous.as_ref(), directory: loaded.directory.as_deref() };
    let plan = engine::nightly(&loaded.policy, &loaded.store, loaded.as_of, extra)?;
    let exit = args.run.finish(output, &plan, &loaded.store, "roster plan");
    super::leave_to_exit(plan);
    super::leave_to_exit(loaded);
    exit
}

/// `roster plan --tenants`: each tenant's plan into `DIR/<id>/`, in the formats of the
/// `--out` names (`plan.json` by default), each byte for byte what a single run writes.
fn tenants(args: &Args) -> Result<Exit, Error> {
    let run = &args.run;
    if run.inputs.policy.is_some()
        || run.inputs.snapshot.is_some()
        || args.previous.is_some()
        || run.inputs.directory.is_some()
    {
        return Err(Error::Usage(
            "--tenants names each tenant's policy and snapshot: leave out --policy, --snapshot, \
             --previous and --directory"
                .to_owned(),
        ));
    }
    let names: Vec<PathBuf> =
        if run.out.is_empty() { vec![PathBuf::from("plan.json")] } else { run.out.clone() };
    let mut outputs = Vec::new();
    for name in &names {
        let plain = name.components().count() == 1
            && matches!(name.components().next(), Some(std::path::Component::Normal(_)));
        if !plain {
            return Err(Error::Usage(format!(
                "with --tenants, --out {} must be a file name: it is written in each tenant's \
                 folder under --out-dir",
                name.display()
            )));
        }
        let format = match (run.format, names.len()) {
            (Some(f), 1) => f,
            _ => {
                super::args::format_of_extension(name).map_err(Error::Usage)?.ok_or_else(|| {
                    Error::Usage(format!(
                        "--out {} has no extension to name its format",
                        name.display()
                    ))
                })?
            }
        };
        outputs.push((name.clone(), format));
    }
    super::tenants::run_all(&args.tenants, &|tenant, policy, store, dir| {
        let as_of = run.inputs.as_of.resolve(store);
        let plan = engine::nightly(policy, store, as_of, engine::Extra::default())?;
        let names = crate::render::Names::from_store(store);
        for (name, format) in &outputs {
            let mut bytes = Vec::new();
            let _ = crate::render::write(&plan, *format, names, "roster plan", &mut bytes);
            super::replace::write_unsynced(&dir.join(name), &bytes).map_err(Error::Output)?;
        }
        let (mut exit, _) = super::args::fail_on(&run.fail_on, &run.ignore_finding, &plan);
        if !plan.held.is_empty() && !run.accept_held {
            exit = Exit::Held;
        }
        Ok(super::tenants::line_of(&tenant.id, &plan, exit))
    })
}
