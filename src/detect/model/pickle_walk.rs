//! The pickle opcode walker: a stack machine over symbols that records every import
//! (`GLOBAL`, `STACK_GLOBAL` with operands resolved through the memo, `INST`, `EXT*`), which
//! of them are called (`REDUCE`, `OBJ`, `INST`, `NEWOBJ`, `NEWOBJ_EX`, `BUILD`), and the sizes
//! passed to `torch._utils._rebuild_tensor*`. It never calls or imports anything.
//!
//! Bounds: 50 M opcodes, stack 10 000, memo 1 M entries, tuples of ≤ 64 items kept (shared,
//! so memo reuse cannot blow up memory), text arguments ≤ 64 KiB, every length checked
//! against the bytes left. A truncated or broken stream keeps what was seen before the break.
//!
//! References: CPython `Lib/pickletools.py`; MODEL-FORMATS §5.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// The most pickle bytes walked in one stream.
pub const MAX_PICKLE: u64 = 64 * 1024 * 1024;
const MAX_OPS: u64 = 50_000_000;
const MAX_STACK: usize = 10_000;
const MAX_MEMO: usize = 1_000_000;
const MAX_GLOBALS: usize = 10_000;

/// One imported callable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Global {
    pub module: String,
    pub name: String,
    /// Byte offset of the importing opcode in the stream.
    pub offset: usize,
    /// An operand could not be resolved to a string constant.
    pub unresolved: bool,
}

impl Global {
    pub fn full(&self) -> String {
        format!("{}.{}", self.module, self.name)
    }
}

/// What a walk saw.
#[derive(Debug, Default)]
pub struct Walk {
    pub globals: Vec<Global>,
    /// Globals that a call opcode (REDUCE, OBJ, INST, NEWOBJ…) was applied to.
    pub called: Vec<String>,
    pub protocol: Option<u8>,
    pub pickles: usize,
    pub opcodes: u64,
    /// Where and why the walk stopped early.
    pub error: Option<String>,
    /// Bytes consumed.
    pub end: usize,
    /// Tensors rebuilt by `torch._utils._rebuild_tensor*`: (storage key, offset, size).
    pub tensors: BTreeSet<(String, i128, Vec<u64>)>,
}

impl Walk {
    /// Σ Π size over distinct tensors (tied weights sharing storage and view count once).
    pub fn tensor_parameters(&self) -> Option<u64> {
        if self.tensors.is_empty() {
            return None;
        }
        let mut total: u64 = 0;
        for (_, _, size) in &self.tensors {
            let n = size.iter().try_fold(1u64, |a, d| a.checked_mul(*d))?;
            total = total.checked_add(n)?;
        }
        Some(total)
    }
}

#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Int(i128),
    /// Shared, so memo reuse and DUP cost nothing and nesting cannot blow up memory.
    Tuple(Rc<Vec<Val>>),
    Pers(Rc<Val>),
    Global(usize),
    Mark,
    Other,
}

/// The most items a symbolic tuple keeps (longer ones become opaque).
const MAX_TUPLE: usize = 64;

fn tuple(items: Vec<Val>) -> Val {
    if items.len() > MAX_TUPLE {
        Val::Other
    } else {
        Val::Tuple(Rc::new(items))
    }
}

fn int_le(b: &[u8]) -> Val {
    if b.len() > 8 {
        return Val::Other;
    }
    let mut v: i128 = 0;
    for (i, x) in b.iter().enumerate() {
        v |= i128::from(*x) << (8 * i);
    }
    if b.last().is_some_and(|x| x & 0x80 != 0) {
        v -= 1i128 << (8 * b.len());
    }
    Val::Int(v)
}

/// Walk a pickle stream (and the pickles concatenated after it) without executing it.
pub fn walk(data: &[u8]) -> Walk {
    let mut w = Walk::default();
    let mut pos = 0usize;
    loop {
        match walk_one(data, pos, &mut w) {
            Ok(end) => {
                w.pickles += 1;
                pos = end;
                w.end = end;
                // legacy torch and joblib write pickles back to back; anything else after
                // STOP is payload (tensor bytes) and is not walked
                if data.get(pos) != Some(&0x80) || w.pickles >= 16 {
                    break;
                }
            }
            Err((at, why)) => {
                w.end = at;
                w.error = Some(format!("{why} at byte {at}"));
                break;
            }
        }
    }
    w
}

type Step<T> = Result<T, (usize, String)>;

fn take(data: &[u8], pos: usize, n: u64) -> Step<&[u8]> {
    let n = usize::try_from(n).map_err(|_| (pos, "length overflows".to_string()))?;
    let end = pos
        .checked_add(n)
        .ok_or((pos, "length overflows".to_string()))?;
    data.get(pos..end).ok_or((
        pos,
        format!(
            "truncated: {n} bytes declared, {} left",
            data.len().saturating_sub(pos)
        ),
    ))
}

fn uint(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

fn line(data: &[u8], pos: usize) -> Step<(&[u8], usize)> {
    let rest = data.get(pos..).unwrap_or(&[]);
    let window = &rest[..rest.len().min(65_536)];
    match memchr::memchr(b'\n', window) {
        Some(i) => Ok((&window[..i], pos + i + 1)),
        None => Err((pos, "truncated: unterminated text argument".to_string())),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Protocol-0 `STRING` arguments are Python reprs: strip the quotes.
fn unquote(b: &[u8]) -> String {
    let s = text(b);
    let t = s.trim();
    let inner = t
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| t.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
        .unwrap_or(t);
    inner.to_string()
}

fn walk_one(data: &[u8], start: usize, w: &mut Walk) -> Step<usize> {
    let mut stack: Vec<Val> = Vec::new();
    let mut memo: BTreeMap<u64, Val> = BTreeMap::new();
    let mut pos = start;
    loop {
        let at = pos;
        let op = *data
            .get(pos)
            .ok_or((pos, "truncated: no STOP opcode".to_string()))?;
        pos += 1;
        w.opcodes += 1;
        if w.opcodes > MAX_OPS {
            return Err((at, "opcode limit reached".to_string()));
        }
        if stack.len() > MAX_STACK {
            return Err((at, "stack depth limit reached".to_string()));
        }
        let push = |v: Val, stack: &mut Vec<Val>| stack.push(v);
        match op {
            b'.' => return Ok(pos),
            // no-argument opcodes that only reshape the stack
            b'(' => push(Val::Mark, &mut stack),
            b'0' => {
                stack.pop();
            }
            b'1' => pop_mark(&mut stack),
            b'2' => {
                let top = stack.last().cloned().unwrap_or(Val::Other);
                push(top, &mut stack)
            }
            b'N' | b')' | b']' | b'}' | 0x88 | 0x89 | 0x8f => push(Val::Other, &mut stack),
            b'a' | b's' | b'u' | b'e' | 0x90 => match op {
                b'a' => {
                    stack.pop();
                }
                b's' => {
                    stack.pop();
                    stack.pop();
                }
                _ => pop_mark(&mut stack),
            },
            b't' => {
                let items = pop_to_mark(&mut stack);
                push(tuple(items), &mut stack)
            }
            b'l' | b'd' | 0x91 => {
                pop_mark(&mut stack);
                push(Val::Other, &mut stack)
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let items = stack.split_off(stack.len().saturating_sub(n));
                push(tuple(items), &mut stack)
            }
            b'R' => {
                let args = stack.pop();
                let callable = stack.pop();
                note_call(w, callable.as_ref());
                note_tensor(w, callable.as_ref(), args.as_ref());
                push(Val::Other, &mut stack)
            }
            b'b' => {
                stack.pop();
                let target = stack.last().cloned();
                note_call(w, target.as_ref());
            }
            b'o' => {
                let items = pop_to_mark(&mut stack);
                note_call(w, items.first());
                push(Val::Other, &mut stack)
            }
            0x81 => {
                stack.pop();
                let cls = stack.pop();
                note_call(w, cls.as_ref());
                push(Val::Other, &mut stack)
            }
            0x92 => {
                stack.pop();
                stack.pop();
                let cls = stack.pop();
                note_call(w, cls.as_ref());
                push(Val::Other, &mut stack)
            }
            b'Q' => {
                let v = stack.pop().unwrap_or(Val::Other);
                push(Val::Pers(Rc::new(v)), &mut stack)
            }
            0x93 => {
                let name = stack.pop();
                let module = stack.pop();
                let idx = add_global(w, module, name, at);
                push(Val::Global(idx), &mut stack)
            }
            0x94 => {
                if memo.len() < MAX_MEMO {
                    let v = stack.last().cloned().unwrap_or(Val::Other);
                    let key = memo.len() as u64;
                    memo.insert(key, v);
                }
            }
            0x97 | 0x98 => {
                if op == 0x97 {
                    push(Val::Other, &mut stack)
                }
            }
            // fixed-size arguments
            0x80 => {
                let p = take(data, pos, 1)?;
                pos += 1;
                if w.protocol.is_none() {
                    w.protocol = p.first().copied();
                }
            }
            b'K' | b'M' | b'J' | b'G' => {
                let n = match op {
                    b'K' => 1,
                    b'M' => 2,
                    b'J' => 4,
                    _ => 8,
                };
                let b = take(data, pos, n)?;
                let v = match op {
                    b'K' | b'M' => Val::Int(i128::from(uint(b))),
                    b'J' => int_le(b),
                    _ => Val::Other,
                };
                pos += n as usize;
                push(v, &mut stack)
            }
            0x82..=0x84 => {
                let n = match op {
                    0x82 => 1,
                    0x83 => 2,
                    _ => 4,
                };
                let code = uint(take(data, pos, n)?);
                pos += n as usize;
                // the extension registry maps a code to an import we cannot see
                let idx = push_global(
                    w,
                    "copyreg".into(),
                    format!("extension_code_{code}"),
                    at,
                    true,
                );
                push(Val::Global(idx), &mut stack)
            }
            0x95 => {
                take(data, pos, 8)?;
                pos += 8;
            }
            b'h' | b'j' => {
                let n = if op == b'h' { 1 } else { 4 };
                let key = uint(take(data, pos, n)?);
                pos += n as usize;
                let v = memo.get(&key).cloned().unwrap_or(Val::Other);
                push(v, &mut stack)
            }
            b'q' | b'r' => {
                let n = if op == b'q' { 1 } else { 4 };
                let key = uint(take(data, pos, n)?);
                pos += n as usize;
                if memo.len() < MAX_MEMO || memo.contains_key(&key) {
                    memo.insert(key, stack.last().cloned().unwrap_or(Val::Other));
                }
            }
            // length-prefixed
            0x8a | 0x8b => {
                let n = if op == 0x8a { 1 } else { 4 };
                let len = uint(take(data, pos, n)?);
                pos += n as usize;
                let b = take(data, pos, len)?;
                pos += len as usize;
                push(int_le(b), &mut stack)
            }
            b'U' | b'T' | b'C' | b'B' | 0x8e | 0x96 | 0x8c | b'X' | 0x8d => {
                let n: u64 = match op {
                    b'U' | b'C' | 0x8c => 1,
                    b'T' | b'B' | b'X' => 4,
                    _ => 8,
                };
                let len = uint(take(data, pos, n)?);
                pos += n as usize;
                let body = take(data, pos, len)?;
                pos += body.len();
                let is_str = matches!(op, b'U' | b'T' | 0x8c | b'X' | 0x8d);
                push(
                    if is_str {
                        Val::Str(text(body))
                    } else {
                        Val::Other
                    },
                    &mut stack,
                )
            }
            // newline-terminated (protocol 0)
            b'I' | b'L' | b'F' | b'S' | b'V' | b'P' => {
                let (arg, next) = line(data, pos)?;
                pos = next;
                let v = match op {
                    b'S' => Val::Str(unquote(arg)),
                    b'V' => Val::Str(text(arg)),
                    b'I' | b'L' => text(arg)
                        .trim()
                        .trim_end_matches('L')
                        .parse::<i128>()
                        .map(Val::Int)
                        .unwrap_or(Val::Other),
                    b'P' => Val::Pers(Rc::new(Val::Str(text(arg)))),
                    _ => Val::Other,
                };
                push(v, &mut stack)
            }
            b'g' | b'p' => {
                let (arg, next) = line(data, pos)?;
                pos = next;
                let key: u64 = text(arg)
                    .trim()
                    .parse()
                    .map_err(|_| (at, "bad memo key".to_string()))?;
                if op == b'g' {
                    let v = memo.get(&key).cloned().unwrap_or(Val::Other);
                    push(v, &mut stack)
                } else if memo.len() < MAX_MEMO || memo.contains_key(&key) {
                    memo.insert(key, stack.last().cloned().unwrap_or(Val::Other));
                }
            }
            b'c' | b'i' => {
                let (module, next) = line(data, pos)?;
                let (name, next) = line(data, next)?;
                pos = next;
                let idx = push_global(w, text(module), text(name), at, false);
                if op == b'i' {
                    pop_mark(&mut stack);
                    if let Some(g) = w.globals.get(idx) {
                        let full = g.full();
                        w.called.push(full);
                    }
                    push(Val::Other, &mut stack)
                } else {
                    push(Val::Global(idx), &mut stack)
                }
            }
            other => return Err((at, format!("unknown opcode 0x{other:02x}"))),
        }
    }
}

fn pop_mark(stack: &mut Vec<Val>) {
    pop_to_mark(stack);
}

fn pop_to_mark(stack: &mut Vec<Val>) -> Vec<Val> {
    match stack.iter().rposition(|v| matches!(v, Val::Mark)) {
        Some(i) => {
            let items = stack.split_off(i + 1);
            stack.pop();
            items
        }
        None => std::mem::take(stack),
    }
}

fn add_global(w: &mut Walk, module: Option<Val>, name: Option<Val>, at: usize) -> usize {
    match (module, name) {
        (Some(Val::Str(m)), Some(Val::Str(n))) => push_global(w, m, n, at, false),
        (m, n) => {
            let show = |v: Option<Val>| match v {
                Some(Val::Str(s)) => s,
                _ => "?".to_string(),
            };
            push_global(w, show(m), show(n), at, true)
        }
    }
}

fn push_global(
    w: &mut Walk,
    module: String,
    name: String,
    offset: usize,
    unresolved: bool,
) -> usize {
    if w.globals.len() >= MAX_GLOBALS {
        return w.globals.len().saturating_sub(1);
    }
    w.globals.push(Global {
        module: module.trim().to_string(),
        name: name.trim().to_string(),
        offset,
        unresolved,
    });
    w.globals.len() - 1
}

/// A `_rebuild_tensor*(storage, offset, size, …)` call: remember the tensor's size.
fn note_tensor(w: &mut Walk, callable: Option<&Val>, args: Option<&Val>) {
    let (Some(Val::Global(i)), Some(Val::Tuple(args))) = (callable, args) else {
        return;
    };
    let Some(g) = w.globals.get(*i) else { return };
    if g.module != "torch._utils"
        || !g.name.starts_with("_rebuild_tensor")
        || w.tensors.len() >= 1_000_000
    {
        return;
    }
    let key = match args.first() {
        Some(Val::Pers(p)) => match p.as_ref() {
            Val::Tuple(t) => match t.get(2) {
                Some(Val::Str(k)) => k.clone(),
                _ => String::new(),
            },
            _ => String::new(),
        },
        _ => String::new(),
    };
    let offset = match args.get(1) {
        Some(Val::Int(o)) => *o,
        _ => 0,
    };
    let Some(Val::Tuple(size)) = args.get(2) else {
        return;
    };
    let mut dims = Vec::new();
    for d in size.iter() {
        match d {
            Val::Int(x) if *x >= 0 => dims.push(u64::try_from(*x).unwrap_or(u64::MAX)),
            _ => return,
        }
    }
    w.tensors.insert((key, offset, dims));
}

fn note_call(w: &mut Walk, callable: Option<&Val>) {
    if let Some(Val::Global(i)) = callable {
        if let Some(g) = w.globals.get(*i) {
            let full = g.full();
            if !w.called.contains(&full) && w.called.len() < MAX_GLOBALS {
                w.called.push(full);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_reduce() {
        // protocol 2: cos\nsystem\n(S'id'\ntR.
        let p = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.";
        let w = walk(p);
        assert_eq!(w.error, None);
        assert_eq!(w.globals[0].full(), "os.system");
        assert_eq!(w.called, vec!["os.system".to_string()]);
    }

    #[test]
    fn stack_global_through_memo() {
        // module and name memoised, then fetched with BINGET before STACK_GLOBAL
        let mut p = b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94".to_vec();
        p.extend_from_slice(b"h\x00h\x01\x93\x8c\x02id\x85R.");
        let w = walk(&p);
        assert_eq!(w.error, None, "{w:?}");
        assert_eq!(w.globals[0].full(), "os.system");
        assert!(!w.globals[0].unresolved);
    }

    #[test]
    fn protocol0_inst_and_truncation() {
        let p = b"(S'ls'\nios\nsystem\n.";
        let w = walk(p);
        assert_eq!(w.globals[0].full(), "os.system");
        assert_eq!(w.called, vec!["os.system".to_string()]);
        let t = b"\x80\x02cos\nsystem\nq\x00X\xff\xff\xff\x7fid";
        let w = walk(t);
        assert_eq!(w.globals[0].full(), "os.system");
        assert!(w.error.unwrap().contains("truncated"));
    }

    #[test]
    fn torch_rebuild_sizes_are_counted_once() {
        // _rebuild_tensor_v2(persid('storage', cls, '0', 'cpu', 6), 0, (2, 3), ...) twice
        let mut p = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00".to_vec();
        let one = b"h\x00((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQK\x00K\x02K\x03\x86K\x03K\x01\x86\x89tR";
        p.extend_from_slice(one);
        p.extend_from_slice(one);
        p.extend_from_slice(b"\x86.");
        let w = walk(&p);
        assert_eq!(w.error, None, "{w:?}");
        assert_eq!(w.tensor_parameters(), Some(6));
    }

    #[test]
    fn hostile_lengths_and_depth() {
        // BINUNICODE8 declaring 2^63 bytes
        let mut p = b"\x80\x04\x8d".to_vec();
        p.extend_from_slice(&(1u64 << 63).to_le_bytes());
        assert!(walk(&p).error.is_some());
        // 20 000 nested MARKs
        let deep = vec![b'('; 20_000];
        assert!(walk(&deep).error.unwrap().contains("limit"));
        // unresolvable STACK_GLOBAL operands
        let w = walk(b"\x80\x04NN\x93.");
        assert!(w.globals[0].unresolved);
        assert!(walk(b"").error.is_some());
    }
}
