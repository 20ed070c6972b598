//! `cohesion describe MODEL` and `cohesion scenarios`: what there is to run.

use anyhow::{Result, bail};
use cohesion::model::{self, Group, ParamSpec};
use cohesion::scenario::builtin;

pub fn describe(kind: &str, markdown: bool) -> Result<i32> {
    let Some(spec) = model::find(kind).map(|m| m.spec) else {
        bail!(
            "unknown model `{kind}`; allowed: {}",
            model::kinds().join(", ")
        );
    };
    if markdown {
        println!(
            "## `{}`: {}\n\n{}\n",
            spec.kind, spec.title, spec.description
        );
        println!("| parameter | section | type | range | default | meaning |");
        println!("|---|---|---|---|---|---|");
        for p in spec.params {
            println!(
                "| `{}` | {} | {} | {} | {} | {} |",
                p.name,
                section(p.group),
                p.type_name(),
                p.range_text(),
                p.display(p.default),
                meaning(p)
            );
        }
        if !spec.actor_fields.is_empty() {
            println!("\n| actor field | required | allowed | meaning |\n|---|---|---|---|");
            for f in spec.actor_fields {
                println!(
                    "| `{}` | {} | {} | {} |",
                    f.name,
                    if f.required { "yes" } else { "no" },
                    f.kind.allowed(),
                    f.meaning
                );
            }
        }
        if !spec.inject_kinds.is_empty() {
            println!("\n| inject kind | fields | meaning |\n|---|---|---|");
            for k in spec.inject_kinds {
                let fields: Vec<String> = k
                    .fields
                    .iter()
                    .map(|f| format!("`{}` ({})", f.name, f.kind.allowed()))
                    .collect();
                println!("| `{}` | {} | {} |", k.name, fields.join(", "), k.meaning);
            }
        }
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
                section(p.group),
                p.type_name(),
                p.range_text(),
                p.display(p.default),
                meaning(p)
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

/// A parameter's meaning as printed: a lever says so first.
fn meaning(p: &ParamSpec) -> String {
    if p.lever {
        format!("lever: {}", p.meaning)
    } else {
        p.meaning.to_string()
    }
}

fn section(g: Group) -> &'static str {
    match g {
        Group::Model => "model",
        Group::Outcomes => "outcomes",
    }
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
