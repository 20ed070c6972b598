//! `cohesion trace`: one trial of one option, in full detail, as CSV or JSON.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use cohesion::engine;
use cohesion::kernel::fmt::fmt_f64;

use super::{TraceArgs, TraceFormat};

pub fn trace(a: TraceArgs) -> Result<i32> {
    let sc = super::load_scenario(a.scenario.as_deref())?;
    let Some(policy) = sc.policy_index(&a.policy) else {
        bail!(
            "--policy: no option `{}`; allowed: {}",
            a.policy,
            sc.policies
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let seed = super::within("--seed", a.seed, &cohesion::scenario::keys::SEED)?;
    let Some(seed) = seed.or(sc.run.seed) else {
        bail!(
            "--seed is required (the seed of the run whose trial you trace; see its manifest.json)"
        );
    };
    let sim = cohesion::model::build(&sc).map_err(|e| anyhow!("{e}"))?;
    let (draws, out, tr) = engine::trace_trial(&sc, sim.as_ref(), seed, policy, a.trial);
    let mut text = Vec::new();
    match a.format {
        TraceFormat::Json => {
            let outcomes: serde_json::Map<String, serde_json::Value> = sim
                .outcomes()
                .iter()
                .zip(&out.outcomes)
                .map(|(o, &v)| {
                    (
                        o.name.clone(),
                        if v.is_nan() {
                            serde_json::Value::Null
                        } else {
                            serde_json::json!(v)
                        },
                    )
                })
                .collect();
            let params: serde_json::Map<String, serde_json::Value> = sc
                .uncertainties
                .iter()
                .zip(&draws)
                .map(|(u, &v)| {
                    (
                        u.name.clone(),
                        serde_json::json!(sc.model.params[u.param].display(v)),
                    )
                })
                .collect();
            let doc = serde_json::json!({
                "scenario": sc.name, "policy": a.policy, "trial": a.trial, "seed": seed,
                "uncertain_parameters": params, "outcomes": outcomes,
                "states": tr.states, "events": tr.events,
            });
            serde_json::to_writer_pretty(&mut text, &doc)?;
            text.push(b'\n');
        }
        TraceFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut text);
            w.write_record(["turn", "record", "actor", "name", "value"])?;
            for (u, &v) in sc.uncertainties.iter().zip(&draws) {
                w.write_record([
                    "0",
                    "parameter",
                    "",
                    &u.name,
                    &sc.model.params[u.param].display(v),
                ])?;
            }
            // Events and states interleaved by turn: events of a turn, then the states after it.
            let mut ei = 0;
            let mut si = 0;
            let last = tr
                .states
                .iter()
                .map(|s| s.turn)
                .chain(tr.events.iter().map(|e| e.turn))
                .max()
                .unwrap_or(0);
            for turn in 0..=last {
                while ei < tr.events.len() && tr.events[ei].turn == turn {
                    let e = &tr.events[ei];
                    w.write_record([&turn.to_string(), "event", &e.actor, &e.kind, &e.detail])?;
                    ei += 1;
                }
                while si < tr.states.len() && tr.states[si].turn == turn {
                    let s = &tr.states[si];
                    w.write_record([
                        &turn.to_string(),
                        "state",
                        &s.actor,
                        &s.variable,
                        &fmt_f64(s.value),
                    ])?;
                    si += 1;
                }
            }
            for (o, &v) in sim.outcomes().iter().zip(&out.outcomes) {
                w.write_record(["", "outcome", "", &o.name, &fmt_f64(v)])?;
            }
            w.flush()?;
        }
    }
    match &a.output {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => std::io::stdout().write_all(&text)?,
    }
    Ok(0)
}
