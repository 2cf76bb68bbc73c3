//! The first sheet of a published Excel workbook as rows of text, and its columns found by header.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Every row of the workbook's first sheet, each cell as text (whole numbers without ".0", dates as
/// `YYYY-MM-DD`).
pub fn rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("not an Excel workbook: {e}"))?;
    let sheet = workbook.sheet_names().first().cloned().ok_or("the workbook has no sheet")?;
    let range = workbook.worksheet_range(&sheet).map_err(|e| format!("sheet {sheet:?}: {e}"))?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(d) => d.as_datetime().map(|t| t.date().to_string()).unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

/// Where each of `names` is in `header` (folded: case and spaces do not matter), or which is missing.
pub fn columns<const N: usize>(header: &[String], names: [&str; N]) -> Result<[usize; N], String> {
    let mut found = [0; N];
    for (slot, name) in found.iter_mut().zip(names) {
        *slot = header.iter().position(|h| fold(h) == fold(name)).ok_or_else(|| format!("no column {name:?}"))?;
    }
    Ok(found)
}

/// A cell's value with case and spacing folded (the lists write the same value several ways).
pub fn fold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}
