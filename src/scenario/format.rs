//! The reference of the scenario format, generated from the declarations.
//!
//! `cohesion describe --scenario-format` prints it, and the part of `docs/SCENARIO.md`
//! between its markers is its Markdown form (a test keeps the two equal). Everything here is
//! read from the declarations the validator uses: the format's own sections and keys from
//! [`super::keys`], the distributions from [`super::dist::DISTS`], and each model's
//! parameters, actor fields and inject kinds from its `ModelSpec`, passed in by the caller
//! (the models sit above this layer). What is written here by hand is only the framing
//! around those tables.

use std::fmt::Write;

use super::dist::DISTS;
use super::keys::{self, Form, KeySpec, Presence, SECTIONS, Section};
use crate::spec::ModelSpec;

/// A table cell: a `|` in text would end the cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// How a section is written: `[scenario]`, `[[policy]]`; `None` for the top level.
fn written(section: &str) -> Option<String> {
    match SECTIONS.iter().find(|s| s.name == section)?.form {
        Form::Table => Some(format!("[{section}]")),
        Form::Entries => Some(format!("[[{section}]]")),
    }
}

fn presence(s: &Section) -> &'static str {
    match (s.presence, s.form) {
        (Presence::Required, Form::Table) => "yes",
        (Presence::Required, Form::Entries) => "yes, at least one",
        (Presence::Optional, _) => "no",
        (Presence::IfModelNeeds, _) => "if the model needs actors (this or the other form)",
    }
}

/// The Markdown reference: sections, the format's keys, distributions, then every model.
pub fn markdown(models: &[&'static ModelSpec]) -> String {
    let mut o = String::new();
    o.push_str("## Sections\n\n| section | form | required | what it holds |\n|---|---|---|---|\n");
    for s in SECTIONS {
        let form = match s.form {
            Form::Table => "table",
            Form::Entries => "array of tables",
        };
        let _ = writeln!(
            o,
            "| `{}` | {form} | {} | {} |",
            written(s.name).unwrap_or_default(),
            presence(s),
            cell(s.meaning)
        );
    }
    o.push_str("\n## Keys\n\nThe default is what a key holds when the file (and every file it extends) leaves it out.\n");
    keys_markdown(&mut o, "", "");
    for s in SECTIONS {
        keys_markdown(&mut o, s.name, s.meaning);
        if !s.model_keys.is_empty() {
            let _ = writeln!(o, "\nAlso allowed here: {}.", s.model_keys);
        }
        if s.name == "uncertainty" {
            distributions_markdown(&mut o);
        }
    }
    o.push_str("\n## Models\n\nWhat `[model] kind` may name; each model's parameters (set in `[model]` or `[outcomes]`, pulled as levers by `[[policy]]`, drawn by `[[uncertainty]]`), actor fields and inject kinds. `cohesion describe MODEL` prints the same.\n");
    for m in models {
        o.push('\n');
        o.push_str(&model_markdown(m, 3));
    }
    o
}

/// The format's keys of one section as a table (nothing when it has none).
fn keys_markdown(o: &mut String, section: &str, meaning: &str) {
    let ks: Vec<&KeySpec> = keys::keys_of(section).collect();
    match written(section) {
        Some(w) => {
            let _ = write!(o, "\n### `{w}`\n\n");
        }
        None => o.push_str("\n### Top level\n\n"),
    }
    if !meaning.is_empty() {
        let _ = write!(o, "{}.\n\n", capitalised(meaning));
    }
    if ks.is_empty() {
        o.push_str("The format itself defines no keys here.\n");
        return;
    }
    o.push_str("| key | type | allowed | default | meaning |\n|---|---|---|---|---|\n");
    for k in ks {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} |",
            k.name,
            k.type_name(),
            cell(&k.allowed()),
            cell(&k.default_text()),
            cell(k.meaning)
        );
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn distributions_markdown(o: &mut String) {
    o.push_str(
        "\n#### Distributions\n\n| `dist` | key | required | meaning |\n|---|---|---|---|\n",
    );
    for d in DISTS {
        let _ = writeln!(o, "| `{}` | | | {} |", d.name, cell(d.meaning));
        for p in d.params {
            let _ = writeln!(
                o,
                "| | `{}` | {} | {} |",
                p.name,
                if p.optional { "no" } else { "yes" },
                cell(p.meaning)
            );
        }
    }
    o.push_str("\nThe draws must lie within the parameter's range; a choice or true/false parameter can be drawn only by `choice`.\n");
}

/// A model's declaration in Markdown: a heading of `level` (`##`…), its description, its
/// parameters, actor fields and inject kinds. `cohesion describe MODEL --markdown` prints it.
pub fn model_markdown(spec: &ModelSpec, level: usize) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "{} `{}`: {}\n\n{}\n\n",
        "#".repeat(level),
        spec.kind,
        spec.title,
        spec.description
    );
    o.push_str(
        "| parameter | section | type | range | default | meaning |\n|---|---|---|---|---|---|\n",
    );
    for p in spec.params {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} | {} |",
            p.name,
            keys::section_of(p.group),
            p.type_name(),
            cell(&p.range_text()),
            cell(&p.display(p.default)),
            cell(&p.described())
        );
    }
    if !spec.actor_fields.is_empty() {
        o.push_str("\n| actor field | required | allowed | meaning |\n|---|---|---|---|\n");
        for f in spec.actor_fields {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} |",
                f.name,
                if f.required { "yes" } else { "no" },
                cell(&f.kind.allowed()),
                cell(f.meaning)
            );
        }
    }
    if !spec.inject_kinds.is_empty() {
        o.push_str("\n| inject kind | fields | meaning |\n|---|---|---|\n");
        for k in spec.inject_kinds {
            let fields: Vec<String> = k
                .fields
                .iter()
                .map(|f| {
                    let req = if f.required { ", required" } else { "" };
                    format!("`{}` ({}{req})", f.name, f.kind.allowed())
                })
                .collect();
            let _ = writeln!(
                o,
                "| `{}` | {} | {} |",
                k.name,
                cell(&fields.join(", ")),
                cell(k.meaning)
            );
        }
    }
    o
}

/// The plain-text reference of the format's own keys and distributions; the models' keys
/// are named by `cohesion describe MODEL`.
pub fn text(models: &[&'static ModelSpec]) -> String {
    let mut o = String::new();
    let kinds: Vec<&str> = models.iter().map(|m| m.kind).collect();
    let _ = writeln!(
        o,
        "Scenario file format (TOML). Model parameters, actor fields and inject kinds: `cohesion describe MODEL` ({}).",
        kinds.join(", ")
    );
    let w = keys::KEYS.iter().map(|k| k.name.len()).max().unwrap_or(4);
    let mut section_text = |name: &str, note: String| {
        let title = written(name).unwrap_or_else(|| "top level".into());
        let _ = write!(o, "\n{title}{note}\n");
        for k in keys::keys_of(name) {
            let _ = writeln!(
                o,
                "  {:w$}  {:10}  {}; default: {}\n  {:w$}  {:10}  {}",
                k.name,
                k.type_name(),
                k.allowed(),
                k.default_text(),
                "",
                "",
                k.meaning
            );
        }
    };
    section_text("", String::new());
    for s in SECTIONS {
        let mut note = format!(" (required: {}): {}", presence(s), s.meaning);
        if !s.model_keys.is_empty() {
            let _ = write!(note, "\n  also: {}", s.model_keys);
        }
        section_text(s.name, note);
    }
    o.push_str("\ndistributions (`dist`):\n");
    for d in DISTS {
        let names: Vec<String> = d
            .params
            .iter()
            .map(|p| {
                if p.optional {
                    format!("[{}]", p.name)
                } else {
                    p.name.to_string()
                }
            })
            .collect();
        let _ = writeln!(o, "  {:12} {:28} {}", d.name, names.join(", "), d.meaning);
    }
    o
}
