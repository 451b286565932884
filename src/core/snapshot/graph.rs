//! Dependency checks at load: prerequisite and segment cycles are refused, and so are chains
//! deeper, or fan-outs costlier, than the limits allow, so that one evaluation is bounded in
//! stack and time whatever the snapshot says.

use super::model::{segment_refs, Flag, Segment};
use crate::json::path::Path;
use crate::text::Msg;
use crate::{Error, Limits};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Depth and work of every node of a dependency graph.
struct Costs {
    depth: Vec<usize>,
    work: Vec<usize>,
}

/// Checks segments (which may name segments) and flags (which name prerequisite flags and
/// segments).
pub(crate) fn check(flags: &[Flag], segments: &[Segment], limits: &Limits) -> Result<(), Error> {
    let mut seg_edges: Vec<Vec<u32>> = Vec::with_capacity(segments.len());
    for s in segments.iter() {
        let mut refs = Vec::new();
        for r in s.rules.iter() {
            segment_refs(r, &mut refs);
        }
        seg_edges.push(refs);
    }
    let zero = vec![0usize; segments.len()];
    let seg = costs(&seg_edges, &zero, &zero).map_err(|cycle| {
        let names = cycle_names(&cycle, |i| segments.get(i).map(|s| &*s.key));
        let first = segments
            .get(cycle.first().copied().unwrap_or(0) as usize)
            .map(|s| &*s.key)
            .unwrap_or("");
        let root = Path::ROOT;
        let sp = root.key("segments");
        let p = sp.key(first);
        Error::invalid(
            p.key("rules").render(),
            Msg::new("segment cycle: ").text(&names).finish(),
        )
    })?;
    for (i, s) in segments.iter().enumerate() {
        bounded(
            seg.depth.get(i),
            seg.work.get(i),
            limits,
            "segments",
            &s.key,
        )?;
    }

    let mut flag_edges: Vec<Vec<u32>> = Vec::with_capacity(flags.len());
    for f in flags.iter() {
        let mut prerequisites = Vec::with_capacity(f.prerequisites.len());
        for p in f.prerequisites.iter() {
            prerequisites.push(p.flag);
        }
        flag_edges.push(prerequisites);
    }
    // A flag's own segment references add to its depth and work.
    let mut extra_depth = vec![0usize; flags.len()];
    let mut extra_work = vec![0usize; flags.len()];
    let mut refs = Vec::new();
    for (i, f) in flags.iter().enumerate() {
        refs.clear();
        for r in f.rules.iter() {
            segment_refs(&r.conditions, &mut refs);
        }
        for &s in &refs {
            let s = s as usize;
            if let (Some(d), Some(w)) = (extra_depth.get_mut(i), extra_work.get_mut(i)) {
                *d = (*d).max(seg.depth.get(s).copied().unwrap_or(0));
                *w = w.saturating_add(seg.work.get(s).copied().unwrap_or(0));
            }
        }
    }
    let fc = costs(&flag_edges, &extra_depth, &extra_work).map_err(|cycle| {
        let names = cycle_names(&cycle, |i| flags.get(i).map(|f| &*f.key));
        let first = flags
            .get(cycle.first().copied().unwrap_or(0) as usize)
            .map(|f| &*f.key)
            .unwrap_or("");
        let root = Path::ROOT;
        let fp = root.key("flags");
        let p = fp.key(first);
        Error::invalid(
            p.key("prerequisites").render(),
            Msg::new("prerequisite cycle: ").text(&names).finish(),
        )
    })?;
    for (i, f) in flags.iter().enumerate() {
        bounded(fc.depth.get(i), fc.work.get(i), limits, "flags", &f.key)?;
    }
    Ok(())
}

fn bounded(
    depth: Option<&usize>,
    work: Option<&usize>,
    limits: &Limits,
    kind: &str,
    key: &str,
) -> Result<(), Error> {
    let root = Path::ROOT;
    let kp = root.key(kind);
    let p = kp.key(key);
    if depth.copied().unwrap_or(0) > limits.max_dependency_depth {
        return Err(Error::invalid(
            p.render(),
            Msg::new("dependency chain deeper than ")
                .num(limits.max_dependency_depth)
                .finish(),
        ));
    }
    if work.copied().unwrap_or(0) > limits.max_dependency_work {
        return Err(Error::invalid(
            p.render(),
            Msg::new("one evaluation would evaluate more than ")
                .num(limits.max_dependency_work)
                .text(" flags and segments")
                .finish(),
        ));
    }
    Ok(())
}

fn cycle_names<'a>(cycle: &[u32], name: impl Fn(usize) -> Option<&'a str>) -> String {
    let mut out = String::new();
    for (n, i) in cycle.iter().chain(cycle.first()).enumerate() {
        if n > 0 {
            out.push_str(" -> ");
        }
        out.push_str(name(*i as usize).unwrap_or("?"));
    }
    out
}

/// Iterative depth-first search: post-order depth (longest chain, counting the node) and work
/// (evaluations including repeats), or the nodes of a cycle.
fn costs(
    edges: &[Vec<u32>],
    extra_depth: &[usize],
    extra_work: &[usize],
) -> Result<Costs, Vec<u32>> {
    // usize, like the other tables here: one `vec![0; n]` in the wasm.
    const NEW: usize = 0;
    const OPEN: usize = 1;
    const DONE: usize = 2;
    let n = edges.len();
    let mut state = vec![NEW; n];
    let mut depth = vec![0usize; n];
    let mut work = vec![0usize; n];
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for root in 0..n as u32 {
        if state.get(root as usize) != Some(&NEW) {
            continue;
        }
        stack.push((root, 0));
        if let Some(s) = state.get_mut(root as usize) {
            *s = OPEN;
        }
        while let Some(&(node, next)) = stack.last() {
            let children = edges
                .get(node as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if let Some(&child) = children.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state.get(child as usize).copied() {
                    Some(NEW) => {
                        if let Some(s) = state.get_mut(child as usize) {
                            *s = OPEN;
                        }
                        stack.push((child, 0));
                    }
                    Some(OPEN) => {
                        let from = stack.iter().position(|(n, _)| *n == child).unwrap_or(0);
                        let mut cycle = Vec::new();
                        for (n, _) in stack.get(from..).unwrap_or_default() {
                            cycle.push(*n);
                        }
                        return Err(cycle);
                    }
                    _ => {}
                }
                continue;
            }
            let i = node as usize;
            let mut d = extra_depth.get(i).copied().unwrap_or(0);
            let mut w = 1usize.saturating_add(extra_work.get(i).copied().unwrap_or(0));
            for &c in children {
                d = d.max(depth.get(c as usize).copied().unwrap_or(0));
                w = w.saturating_add(work.get(c as usize).copied().unwrap_or(0));
            }
            if let (Some(ds), Some(ws), Some(s)) =
                (depth.get_mut(i), work.get_mut(i), state.get_mut(i))
            {
                *ds = d + 1;
                *ws = w;
                *s = DONE;
            }
            stack.pop();
        }
    }
    Ok(Costs { depth, work })
}
