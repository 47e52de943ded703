//! Choices for the form's selects, from the reference data in force
//! (embedded files with the operator's replacements, `state.reference`).

use crate::reference::Reference;
use serde_json::Value;

/// Items of a reference file (`subject-natures.json` …); empty when absent.
pub fn items<'a>(r: &'a Reference, file: &str) -> &'a [Value] {
    r.document(file)
        .and_then(|d| d.get("items"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `(value, label)` of each item, with the id and name keys given.
pub fn pairs(items: &[Value], id: &str, name: &str) -> Vec<(String, String)> {
    items
        .iter()
        .filter_map(|i| {
            let v = match i.get(id)? {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((v, i.get(name)?.as_str()?.to_string()))
        })
        .collect()
}
