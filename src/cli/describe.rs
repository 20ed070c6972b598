//! `cohesion describe MODEL`, `cohesion describe --scenario-format` and `cohesion scenarios`:
//! what there is to run, and how to write a scenario.

use anyhow::{Result, bail};
use cohesion::model;
use cohesion::scenario::{builtin, format, keys};

/// The reference of the scenario format: Markdown (the generated part of docs/SCENARIO.md,
/// every model included) or plain text (the format's own keys).
pub fn scenario_format(markdown: bool) -> Result<i32> {
    let models = model::specs();
    if markdown {
        print!("{}", format::markdown(&models));
    } else {
        print!("{}", format::text(&models));
    }
    Ok(0)
}

pub fn describe(kind: &str, markdown: bool) -> Result<i32> {
    let Some(spec) = model::find(kind).map(|m| m.spec) else {
        bail!(
            "unknown model `{kind}`; allowed: {}",
            model::kinds().join(", ")
        );
    };
    if markdown {
        print!("{}", format::model_markdown(spec, 2));
    } else {
        println!("{}: {}\n\n{}\n", spec.kind, spec.title, spec.description);
        let w = spec
            .params
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(4)
            .max(9);
        println!(
            "{:w$}  {:9}  {:8}  {:24}  {:10}  meaning",
            "parameter", "section", "type", "range", "default"
        );
        for p in spec.params {
            println!(
                "{:w$}  {:9}  {:8}  {:24}  {:10}  {}",
                p.name,
                keys::section_of(p.group),
                p.type_name(),
                p.range_text(),
                p.display(p.default),
                p.described()
            );
        }
        if !spec.actor_fields.is_empty() {
            println!("\nactor fields:");
            for f in spec.actor_fields {
                println!(
                    "  {:24} {:9} {}  ({})",
                    f.name,
                    if f.required { "required" } else { "optional" },
                    f.meaning,
                    f.kind.allowed()
                );
            }
        }
        if !spec.inject_kinds.is_empty() {
            println!("\ninject kinds:");
            for k in spec.inject_kinds {
                println!("  {:24} {}", k.name, k.meaning);
            }
        }
    }
    Ok(0)
}

pub fn scenarios() -> Result<i32> {
    for name in builtin::scenario_names() {
        let marker = if name == builtin::DEFAULT {
            " (default)"
        } else {
            ""
        };
        let desc = builtin::get(&format!("{name}.toml"))
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| {
                t.get("scenario")?
                    .get("description")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let first = desc.lines().next().unwrap_or("");
        println!("{name}{marker}\n    {first}");
    }
    Ok(0)
}
