//! The shape of `crates/core`, checked on its source: no two files import each other
//! (directly or around a longer circle), no `Weak` pointer back to an app object, and a
//! project's API secret is a `String` nowhere (it stays a `Secret` up to token signing).
//!
//! An import is any path into the crate that a file names: `crate::a::b`, `super::x`,
//! `self::x`, or a child module's name at the start of a `use`. Each path is resolved to
//! the file of the longest module prefix that exists. Run alone with
//! `cargo test -p earshot-core --test module_graph`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["wallboard", "poller"]`) of every source file.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The source without comments and string literals (doc examples name paths too).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
                prev = c;
                continue;
            }
            if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The source up to its `#[cfg(test)]` module: unit tests may import anything.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Paths (as segments) that start with `crate`, `super`, `self` or a child module's name
/// (`use board::Board;` or `rejoin::run(…)` in a `mod.rs`).
fn paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < bytes.len() {
        if !ident(bytes[i]) || (i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == ':')) {
            i += 1;
            continue;
        }
        // Read a path a::b::c starting here.
        let mut segs = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            segs.push(bytes[start..j].iter().collect::<String>());
            if j + 1 < bytes.len() && bytes[j] == ':' && bytes[j + 1] == ':' {
                j += 2;
                if j < bytes.len() && ident(bytes[j]) {
                    continue;
                }
                // `a::{b, c}`: each item of the group is a path of its own.
                if j < bytes.len() && bytes[j] == '{' {
                    let end = matching(&bytes, j);
                    let group: String = bytes[j + 1..end].iter().collect();
                    for item in split_top(&group) {
                        let item = item.trim();
                        let head: Vec<String> = item
                            .split("::")
                            .map(|s| s.split_whitespace().next().unwrap_or("").to_owned())
                            .take_while(|s| !s.is_empty() && s.chars().all(ident))
                            .collect();
                        let mut full = segs.clone();
                        full.extend(head);
                        found.push(full);
                    }
                    j = end;
                }
            }
            break;
        }
        let first = segs[0].as_str();
        // `pub(crate)`, `pub(super)` name no path; a group's items were taken above.
        if segs.len() >= 2
            && (matches!(first, "crate" | "super" | "self") || children.contains(first))
        {
            found.push(segs);
        }
        i = j.max(i + 1);
    }
    found
}

fn matching(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

fn split_top(group: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// The file-level import graph of the crate at `src`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let name = |m: &Vec<String>| mods[m].strip_prefix(src).unwrap().display().to_string();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &mods {
        let text = std::fs::read_to_string(path).expect("read");
        let code = code_only(without_tests(&text));
        // Paths are relative to the module, whether it is `a/b.rs` or `a/b/mod.rs`.
        let children: BTreeSet<String> = mods
            .keys()
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .map(|m| m[m.len() - 1].clone())
            .collect();
        let from = name(module);
        for segs in paths(&code, &children) {
            let (mut target, rest): (Vec<String>, &[String]) = match segs[0].as_str() {
                "crate" => (Vec::new(), &segs[1..]),
                "super" => {
                    let mut t = module.clone();
                    let mut k = 0;
                    while segs.get(k).map(String::as_str) == Some("super") {
                        t.pop();
                        k += 1;
                    }
                    (t, &segs[k..])
                }
                "self" => (module.clone(), &segs[1..]),
                _ => (module.clone(), &segs[..]),
            };
            for seg in rest {
                let mut longer = target.clone();
                longer.push(seg.clone());
                if mods.contains_key(&longer) {
                    target = longer;
                } else {
                    break;
                }
            }
            if !mods.contains_key(&target) {
                continue;
            }
            let to = name(&target);
            // lib.rs declares every module: a declaration is not an import.
            if to != from && !to.ends_with("lib.rs") {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
        edges.entry(from).or_default();
    }
    edges
}

/// Every circle, as its files (Tarjan's strongly connected components of size > 1).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        let edges = t.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn core_has_no_import_circles() {
    let edges = graph(&src());
    let found = circles(&edges);
    let explain: Vec<String> = found
        .iter()
        .map(|c| {
            let arrows: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    edges[a]
                        .iter()
                        .filter(|b| c.contains(b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect();
            format!("circle of {} files: {}", c.len(), arrows.join(", "))
        })
        .collect();
    assert!(found.is_empty(), "{}", explain.join("\n"));
}

#[test]
fn the_checker_finds_a_circle_when_there_is_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::create_dir(src.join("feature")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod feature;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::feature::Thing;\n").unwrap();
    std::fs::write(
        src.join("feature/mod.rs"),
        "mod part;\nuse part::Part;\npub struct Thing;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("feature/part.rs"),
        "use super::Thing;\npub struct Part;\n",
    )
    .unwrap();
    let found = circles(&graph(src));
    assert_eq!(
        found,
        vec![vec![
            "feature/mod.rs".to_owned(),
            "feature/part.rs".to_owned()
        ]]
    );
    std::fs::write(src.join("feature/part.rs"), "use crate::a::X;\n").unwrap();
    std::fs::write(src.join("feature/mod.rs"), "mod part;\npub struct Thing;\n").unwrap();
    assert!(circles(&graph(src)).is_empty());
    std::fs::write(
        src.join("feature/mod.rs"),
        "mod part;\nuse self::part::{Part, other::{x}};\n",
    )
    .unwrap();
    assert_eq!(
        circles(&graph(src)).len(),
        1,
        "a -> feature/mod.rs -> part -> a"
    );
}

/// Files allowed to hold an API secret as plain text: none. The secret is a `Secret` (or
/// the form's `SecretInput`) everywhere and is exposed only where a token is signed.
#[test]
fn no_api_secret_string_and_no_back_pointer() {
    for path in modules(&src()).values() {
        let text = std::fs::read_to_string(path).expect("read");
        let code = code_only(without_tests(&text));
        let squashed: String = code.split_whitespace().collect();
        let name = path.display();
        assert!(
            !squashed.contains("api_secret:String"),
            "{name} keeps an API secret as a String"
        );
        assert!(
            !squashed.contains("Weak<Earshot>") && !squashed.contains("Weak<crate::Earshot>"),
            "{name} points back at the app"
        );
    }
}
