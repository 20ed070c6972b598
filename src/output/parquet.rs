//! Parquet copies of the output tables (`--format parquet` or `both`).
//!
//! Each table is converted from its CSV text, column by column, with the column names of the
//! CSV and a type per column (whole numbers as INT64, real numbers as DOUBLE, words as UTF-8
//! strings, yes/no as BOOLEAN); an empty CSV cell is a null. Converting the CSV text, rather
//! than writing the values a second way, makes the two formats hold the same values by
//! construction: every float in the CSV is its shortest round-trip text, so it parses back to
//! the very bits the run computed. The run's manifest and the scenario's text go into each
//! file's key-value metadata (`cohesion.manifest`, `cohesion.scenario`), so a Parquet file
//! says what it is on its own.
//!
//! Files are written with the `parquet` crate's low-level writer (no Arrow, no C library),
//! Snappy-compressed, in row groups of [`ROW_GROUP`] rows; the bytes depend only on the
//! values. [`to_csv`] reads a file back into the CSV text it was made from, which is how
//! `cohesion plot` reads a folder written with `--format parquet`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;

use crate::kernel::fmt::push_f64;

/// Rows per row group.
pub const ROW_GROUP: usize = 65_536;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// A whole number (INT64).
    Int,
    /// A real number (DOUBLE).
    Float,
    /// Text (UTF-8 BYTE_ARRAY).
    Text,
    /// `true` or `false` (BOOLEAN).
    Bool,
}

/// One column's values in the current row group, with definition levels (0 = null).
enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<ByteArray>),
    Bool(Vec<bool>),
}

struct Column {
    name: String,
    values: Values,
    defs: Vec<i16>,
}

impl Column {
    fn new(name: &str, t: ColType) -> Column {
        Column {
            name: name.to_string(),
            values: match t {
                ColType::Int => Values::Int(Vec::new()),
                ColType::Float => Values::Float(Vec::new()),
                ColType::Text => Values::Text(Vec::new()),
                ColType::Bool => Values::Bool(Vec::new()),
            },
            defs: Vec::new(),
        }
    }

    fn schema(&self) -> Result<Type> {
        let (phys, logical) = match self.values {
            Values::Int(_) => (Physical::INT64, None),
            Values::Float(_) => (Physical::DOUBLE, None),
            Values::Text(_) => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            Values::Bool(_) => (Physical::BOOLEAN, None),
        };
        Ok(Type::primitive_type_builder(&self.name, phys)
            .with_repetition(Repetition::OPTIONAL)
            .with_logical_type(logical)
            .build()?)
    }

    /// Adds one cell; `Err` with what was wrong.
    fn push(&mut self, cell: &str) -> std::result::Result<(), String> {
        if cell.is_empty() {
            self.defs.push(0);
            return Ok(());
        }
        match &mut self.values {
            Values::Int(v) => v.push(
                cell.parse()
                    .map_err(|_| format!("`{cell}` is not a whole number"))?,
            ),
            Values::Float(v) => v.push(
                cell.parse()
                    .map_err(|_| format!("`{cell}` is not a number"))?,
            ),
            Values::Text(v) => v.push(ByteArray::from(cell.as_bytes().to_vec())),
            Values::Bool(v) => v.push(match cell {
                "true" => true,
                "false" => false,
                _ => return Err(format!("`{cell}` is not true or false")),
            }),
        }
        self.defs.push(1);
        Ok(())
    }

    fn clear(&mut self) {
        self.defs.clear();
        match &mut self.values {
            Values::Int(v) => v.clear(),
            Values::Float(v) => v.clear(),
            Values::Text(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
    }
}

/// Converts the CSV text read from `csv` (header first) into the Parquet file `path`;
/// `types` gives each column's type by name; `metadata` goes into the file's key-value
/// metadata. Errors name the file, the row and the column.
pub fn write_from_csv(
    csv: impl std::io::Read,
    types: &dyn Fn(&str) -> ColType,
    metadata: &[(String, String)],
    path: &Path,
) -> Result<()> {
    let mut rd = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
    let header = rd
        .headers()
        .with_context(|| format!("cannot read the table for {}", path.display()))?
        .clone();
    let mut cols: Vec<Column> = header.iter().map(|h| Column::new(h, types(h))).collect();
    let fields = cols
        .iter()
        .map(|c| c.schema().map(Arc::new))
        .collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    );
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(ROW_GROUP)
        .set_key_value_metadata(Some(
            metadata
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
                .collect(),
        ))
        .build();
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = SerializedFileWriter::new(file, schema, Arc::new(props))
        .with_context(|| format!("cannot write {}", path.display()))?;
    let mut rows = 0usize;
    let mut line = 1usize;
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rd
            .read_record(&mut rec)
            .with_context(|| format!("cannot read the table for {}", path.display()))?;
        if more {
            line += 1;
            if rec.len() != cols.len() {
                bail!(
                    "{}: row {line} has {} cells, the header {}",
                    path.display(),
                    rec.len(),
                    cols.len()
                );
            }
            for (c, cell) in cols.iter_mut().zip(rec.iter()) {
                c.push(cell).map_err(|e| {
                    anyhow::anyhow!("{}: row {line}, column `{}`: {e}", path.display(), c.name)
                })?;
            }
            rows += 1;
        }
        if rows == ROW_GROUP || (!more && rows > 0) {
            write_group(&mut w, &mut cols)
                .with_context(|| format!("cannot write {}", path.display()))?;
            rows = 0;
        }
        if !more {
            break;
        }
    }
    w.close()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_group(w: &mut SerializedFileWriter<std::fs::File>, cols: &mut [Column]) -> Result<()> {
    let mut rg = w.next_row_group()?;
    let mut i = 0;
    while let Some(mut cw) = rg.next_column()? {
        let c = &cols[i];
        let defs = Some(c.defs.as_slice());
        match &c.values {
            Values::Int(v) => cw.typed::<Int64Type>().write_batch(v, defs, None)?,
            Values::Float(v) => cw.typed::<DoubleType>().write_batch(v, defs, None)?,
            Values::Text(v) => cw.typed::<ByteArrayType>().write_batch(v, defs, None)?,
            Values::Bool(v) => cw.typed::<BoolType>().write_batch(v, defs, None)?,
        };
        cw.close()?;
        i += 1;
    }
    rg.close()?;
    for c in cols.iter_mut() {
        c.clear();
    }
    Ok(())
}

/// Reads a Parquet table back into CSV text: the header, then one line per row, numbers in
/// the shortest round-trip form and nulls as empty cells, as the CSV writers write them.
pub fn to_csv(path: &Path) -> Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let reader = SerializedFileReader::new(file)
        .with_context(|| format!("{} is not a Parquet file", path.display()))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&names)?;
    let mut cells: Vec<Vec<u8>> = vec![Vec::new(); names.len()];
    for row in reader
        .get_row_iter(None)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        let row = row.with_context(|| format!("cannot read {}", path.display()))?;
        for (cell, (_, f)) in cells.iter_mut().zip(row.get_column_iter()) {
            cell.clear();
            match f {
                Field::Null => {}
                Field::Bool(b) => cell.extend_from_slice(if *b { b"true" } else { b"false" }),
                Field::Long(x) => cell.extend_from_slice(x.to_string().as_bytes()),
                Field::Double(x) => push_f64(cell, *x),
                Field::Str(s) => cell.extend_from_slice(s.as_bytes()),
                other => bail!("{}: unexpected value {other}", path.display()),
            }
        }
        w.write_record(&cells)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The key-value metadata of a Parquet file.
pub fn metadata(path: &Path) -> Result<Vec<(String, String)>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let reader = SerializedFileReader::new(file)
        .with_context(|| format!("{} is not a Parquet file", path.display()))?;
    Ok(reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

/// The column types of the tables other than `trials` (by file stem and column name).
pub fn table_type(table: &str, col: &str) -> ColType {
    match (table, col) {
        (_, "n" | "turn") => ColType::Int,
        ("policies", "baseline") => ColType::Bool,
        (
            _,
            "option" | "outcome" | "kind" | "metric" | "baseline" | "date" | "name" | "description"
            | "lever" | "value" | "verdict" | "ally",
        ) => ColType::Text,
        _ => ColType::Float,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trips_through_parquet_with_types_and_nulls() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.parquet");
        let csv = "a,b,c,d\n1,0.1,x y,true\n,,,\n-3,1e-300,\"q,\"\"r\",false\n4,2,z,\n";
        let types = |c: &str| match c {
            "a" => ColType::Int,
            "b" => ColType::Float,
            "c" => ColType::Text,
            _ => ColType::Bool,
        };
        let meta = vec![("cohesion.manifest".to_string(), "{}".to_string())];
        write_from_csv(csv.as_bytes(), &types, &meta, &p).unwrap();
        assert_eq!(String::from_utf8(to_csv(&p).unwrap()).unwrap(), csv);
        assert_eq!(metadata(&p).unwrap(), meta);
        // The same values give the same bytes.
        let p2 = d.path().join("t2.parquet");
        write_from_csv(csv.as_bytes(), &types, &meta, &p2).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&p2).unwrap());
        // A cell of the wrong type is named.
        let e = write_from_csv("a\n1\nx\n".as_bytes(), &types, &[], &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 3") && e.contains("`a`"), "{e}");
    }
}
