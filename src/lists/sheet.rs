//! The first sheet of a published Excel workbook as rows of text, its columns found by header, and
//! entries built from sheets that give one row per name of a designation.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use super::{EntryKind, ListEntry, push_name};

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

/// Entries from rows of one name each, grouped by the designation's id: the row marked primary names
/// the entry, every other row gives an alias.
#[derive(Default)]
pub struct NameRows {
    entries: Vec<ListEntry>,
    by_id: HashMap<String, usize>,
}

impl NameRows {
    /// The entry of `id`, made the first time with what `first` says of its first row.
    pub fn entry(&mut self, id: &str, first: impl FnOnce() -> (EntryKind, Option<NaiveDate>)) -> &mut ListEntry {
        let entries = &mut self.entries;
        let at = *self.by_id.entry(id.to_string()).or_insert_with(|| {
            let (kind, listed_on) = first();
            entries.push(ListEntry {
                id: id.to_string(),
                name: String::new(),
                aliases: Vec::new(),
                kind,
                programs: Vec::new(),
                identifiers: Vec::new(),
                countries: Vec::new(),
                listed_on,
            });
            entries.len() - 1
        });
        &mut entries[at]
    }

    /// A row's name: the entry's name if the row is its primary one (the first such), else an alias.
    pub fn add_name(entry: &mut ListEntry, name: &str, primary: bool) {
        if primary && entry.name.is_empty() {
            entry.name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        } else {
            push_name(&mut entry.aliases, name);
        }
    }

    /// The entries; one without a primary row is named by its first alias.
    pub fn finish(self) -> Vec<ListEntry> {
        let mut entries = self.entries;
        for entry in &mut entries {
            if entry.name.is_empty() && !entry.aliases.is_empty() {
                entry.name = entry.aliases.remove(0);
            }
            let name = entry.name.clone();
            entry.aliases.retain(|a| *a != name);
        }
        entries
    }
}
