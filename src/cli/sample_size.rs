//! `edgeflag sample-size`: the units an experiment on a conversion rate needs, from the
//! server crate's calculator (`edgeflag_server::stats::sample_size`), so the command and
//! `GET /admin/sample-size` always agree.

use crate::args::SampleSizeArgs;
use crate::exit::{CliResult, Failure};
use crate::output::print_line;
use edgeflag_server::stats::sample_size::{plan, Request};

/// Prints the units per variant, the total and, with `--daily-units`, the days (or the JSON
/// answer with `--json`); an option out of range is a usage error (exit 2) naming it.
pub(crate) fn run(args: &SampleSizeArgs) -> CliResult {
    let request = Request {
        baseline: args.baseline,
        mde: args.mde,
        alpha: args.alpha,
        power: args.power,
        variants: args.variants,
        daily_units: args.daily_units,
    };
    let plan = plan(&request)
        .map_err(|invalid| Failure::usage(invalid.parameter.option_name(), invalid.message))?;
    if args.json {
        return print_line(&plan.to_value().to_json());
    }
    let mut lines = vec![
        format!("units per variant: {}", plan.units_per_variant),
        format!(
            "total units: {} ({} variants)",
            plan.total_units, request.variants
        ),
    ];
    if let (Some(days), Some(daily)) = (plan.days, request.daily_units) {
        lines.push(format!("days: {days} (at {daily} units a day)"));
    }
    print_line(&lines.join("\n"))
}
