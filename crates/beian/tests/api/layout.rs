//! The workspace's layout rule that the compiler does not check: inside a crate, no module
//! imports a module that imports it back (directly or around a circle). A circle makes two
//! files one unit that can only be read, tested and moved together.
//!
//! Read as text, like a reviewer would: every `crate::a::b`, `super::a`, `self::a` path and
//! every use of a child module declared with `mod a;` counts as an import of the deepest
//! module file it names, except a module's own ancestors (a child is part of its parent). A
//! path through another module's re-export counts as an import of that module. Test code (from a file's `#[cfg(test)]` module on, and `tests.rs` files) is left
//! out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// The module files of a crate's `src/`, by module path (`lib.rs`/`main.rs` is the root).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = vec![];
    walk(src, &mut files);
    let mut mods = BTreeMap::new();
    for p in files {
        let rel = p.strip_prefix(src).unwrap().with_extension("");
        let mut path: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if path.first().is_some_and(|f| f == "bin") {
            continue;
        }
        if matches!(
            path.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            path.pop();
        }
        if path.last().is_some_and(|l| l == "tests") {
            continue;
        }
        mods.insert(path, p);
    }
    mods
}

/// The file's code without comments and without its test module.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|n| n.trim_start().starts_with("mod ") && n.contains('{'))
        {
            break;
        }
        let line = line.split("//").next().unwrap_or("");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The paths the code names, each as the words after its first `::`-joined head, with the
/// items of a `{…}` group spelled out one by one.
fn paths(code: &str, heads: &BTreeSet<String>) -> Vec<(String, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let word_at = |i: usize| -> (String, usize) {
        let mut j = i;
        while j < chars.len() && ident(chars[j]) {
            j += 1;
        }
        (chars[i..j].iter().collect(), j)
    };
    let mut found = vec![];
    let mut i = 0;
    while i < chars.len() {
        if !ident(chars[i]) || (i > 0 && (ident(chars[i - 1]) || chars[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let (head, mut j) = word_at(i);
        if !heads.contains(&head) || chars.get(j) != Some(&':') || chars.get(j + 1) != Some(&':') {
            i = j.max(i + 1);
            continue;
        }
        let mut rest = vec![];
        let mut grouped = false;
        while chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
            j += 2;
            if chars.get(j) == Some(&'{') {
                let end = chars[j..]
                    .iter()
                    .position(|&c| c == '}')
                    .map_or(chars.len(), |e| j + e);
                let group: String = chars[j + 1..end].iter().collect();
                for item in group.split(',') {
                    let item = item.split(" as ").next().unwrap_or("").trim();
                    let mut words: Vec<String> = rest.clone();
                    words.extend(item.split("::").map(|w| w.trim().to_string()));
                    found.push((head.clone(), words));
                }
                j = end;
                grouped = true;
                break;
            }
            let (w, k) = word_at(j);
            if w.is_empty() {
                break;
            }
            rest.push(w);
            j = k;
        }
        if !grouped {
            found.push((head, rest));
        }
        i = j.max(i + 1);
    }
    found
}

/// The child modules a file declares (`mod a;`, `pub(crate) mod a;`).
fn children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let after = l.split_once("mod ")?;
            let before = after.0.trim();
            if !(before.is_empty() || before.starts_with("pub")) {
                return None;
            }
            after.1.strip_suffix(';').map(|n| n.trim().to_string())
        })
        .collect()
}

/// Module → the modules it imports, as defined in the file comment.
fn imports(mods: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph = BTreeMap::new();
    for (m, file) in mods {
        let code = code(&std::fs::read_to_string(file).unwrap());
        let kids = children(&code);
        let mut heads: BTreeSet<String> = ["crate", "super", "self"].map(String::from).into();
        heads.extend(kids.iter().cloned());
        let mut to = BTreeSet::new();
        for (head, rest) in paths(&code, &heads) {
            let mut full: Module = match head.as_str() {
                "crate" => vec![],
                "super" => m[..m.len().saturating_sub(1)].to_vec(),
                "self" => m.clone(),
                child => {
                    let mut p = m.clone();
                    p.push(child.to_string());
                    p
                }
            };
            full.extend(rest.into_iter().filter(|w| w != "self" && w != "*"));
            let target = (0..=full.len())
                .rev()
                .map(|k| full[..k].to_vec())
                .find(|p| mods.contains_key(p));
            // A child is part of its parent: reaching up (`super::`, `crate::` items of an
            // ancestor) is how it uses its parent's items, not a separate import.
            if let Some(t) = target.filter(|t| !m.starts_with(t)) {
                to.insert(t);
            }
        }
        graph.insert(m.clone(), to);
    }
    graph
}

/// The circles of the graph: strongly connected parts of more than one module.
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    let reach = |from: &Module| -> BTreeSet<Module> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in &graph[&m] {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Module, BTreeSet<Module>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = vec![];
    for m in graph.keys() {
        if done.contains(m) || !reaches[m].contains(m) {
            continue;
        }
        let circle: Vec<Module> = reaches[m]
            .iter()
            .filter(|n| reaches[*n].contains(m))
            .cloned()
            .collect();
        done.extend(circle.iter().cloned());
        out.push(circle);
    }
    out
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = vec![];
    let mut crates = 0;
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        let src = e.path().join("src");
        if !src.is_dir() {
            continue;
        }
        crates += 1;
        let graph = imports(&modules(&src));
        for c in circles(&graph) {
            let ties: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| c.contains(b))
                        .map(move |b| format!("{} → {}", name(a), name(b)))
                })
                .collect();
            found.push(format!(
                "{}: {}",
                e.file_name().to_string_lossy(),
                ties.join(", ")
            ));
        }
    }
    assert!(
        crates >= 6,
        "only {crates} crates found under {}",
        root.display()
    );
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_reader_sees_a_circle_and_the_ways_a_module_is_named() {
    let dir = std::env::temp_dir().join(format!("beian-layout-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    // a imports its child through `mod`, the child imports b through a `crate::{…}` group,
    // b imports a through `super::` from a nested path: a → a::x → b → a.
    std::fs::write(src.join("a.rs"), "mod x;\npub fn f() { x::g() }\n").unwrap();
    std::fs::write(
        src.join("a/x.rs"),
        // (its use of its parent's `f` is not an import: a child is part of its parent)
        "use crate::{c::K, b::h};\npub fn g() { super::f() }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub fn h() { super::a::f() } // crate::c\n",
    )
    .unwrap();
    // c names a only in its test module and in a comment: no import.
    std::fs::write(
        src.join("c.rs"),
        "pub const K: u8 = 1; // crate::a\n#[cfg(test)]\nmod tests {\n    use crate::a::f;\n}\n",
    )
    .unwrap();
    let graph = imports(&modules(&src));
    let m = |s: &str| -> Module { s.split("::").map(String::from).collect() };
    assert_eq!(graph[&m("a::x")], [m("b"), m("c")].into());
    assert_eq!(graph[&m("c")], BTreeSet::new());
    let found = circles(&graph);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(found, vec![vec![m("a"), m("a::x"), m("b")]]);
}
