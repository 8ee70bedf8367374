//! A small bounded zip reader for model containers (PyTorch, TorchScript, `.npz`, `.keras`,
//! llamafile): it lists the central directory and reads single members through a size cap.
//! Nothing is ever extracted to disk.
//!
//! Bounds: central directory ≤ 64 MiB and ≤ 100 000 entries; a member is read (or inflated)
//! only up to the caller's cap; names are kept as bytes-lossy strings and never used as
//! paths. Zip64 sizes and offsets are read from the extra field; a zip appended to other
//! bytes (llamafile) is located through its end-of-central-directory record.

use super::ReadSeek;
use std::io::{Read, SeekFrom};

const MAX_CD: u64 = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 100_000;
/// A declared compression ratio above this is reported as a possible zip bomb.
pub const BOMB_RATIO: u64 = 100;
/// …when the member would inflate to more than this many bytes.
pub const BOMB_MIN_BYTES: u64 = 1024 * 1024;

/// One central-directory entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub method: u16,
    pub compressed: u64,
    pub uncompressed: u64,
    pub local_offset: u64,
}

/// A listed archive.
#[derive(Debug)]
pub struct Archive {
    pub entries: Vec<Entry>,
    /// Added to every local offset (non-zero when the zip is appended to other bytes).
    pub base: u64,
}

fn u16le(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}
fn u32le(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}
fn u64le(b: &[u8], at: usize) -> u64 {
    match b.get(at..at + 8) {
        Some(s) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            u64::from_le_bytes(a)
        }
        None => 0,
    }
}

fn read_at(r: &mut dyn ReadSeek, at: u64, len: u64) -> Result<Vec<u8>, String> {
    r.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    r.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

/// List the archive. `size` is the file size.
pub fn list(r: &mut dyn ReadSeek, size: u64) -> Result<Archive, String> {
    let tail_len = size.min(65_535 + 22);
    let tail_start = size - tail_len;
    let tail = read_at(r, tail_start, tail_len)?;
    let eocd = memchr::memmem::rfind(&tail, b"PK\x05\x06")
        .ok_or("no end-of-central-directory record (truncated or not a zip)")?;
    let e = tail.get(eocd..).unwrap_or(&[]);
    if e.len() < 22 {
        return Err("truncated end-of-central-directory record".into());
    }
    let mut count = u64::from(u16le(e, 10));
    let mut cd_size = u64::from(u32le(e, 12));
    let mut cd_offset = u64::from(u32le(e, 16));
    let eocd_pos = tail_start + eocd as u64;
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // zip64: the locator sits just before the classic record
        let loc = eocd.checked_sub(20).and_then(|l| tail.get(l..l + 20));
        if let Some(loc) = loc.filter(|l| l.starts_with(b"PK\x06\x07")) {
            let z = read_at(r, u64le(loc, 8), 56)?;
            if !z.starts_with(b"PK\x06\x06") {
                return Err("zip64 end-of-central-directory record missing".into());
            }
            count = u64le(&z, 32);
            cd_size = u64le(&z, 40);
            cd_offset = u64le(&z, 48);
        }
    }
    if cd_size > MAX_CD {
        return Err(format!(
            "central directory of {cd_size} bytes exceeds the limit"
        ));
    }
    if count > MAX_ENTRIES as u64 {
        return Err(format!(
            "{count} archive members exceed the limit of {MAX_ENTRIES}"
        ));
    }
    // a zip appended to an executable keeps offsets relative to its own start
    let base = eocd_pos
        .checked_sub(cd_size)
        .and_then(|x| x.checked_sub(cd_offset))
        .unwrap_or(0);
    let cd_start = base
        .checked_add(cd_offset)
        .filter(|s| s.saturating_add(cd_size) <= size)
        .ok_or("central directory lies outside the file")?;
    let cd = read_at(r, cd_start, cd_size)?;
    let mut entries = Vec::new();
    let mut p = 0usize;
    while entries.len() < count as usize {
        let h = cd.get(p..p + 46).ok_or("truncated central directory")?;
        if !h.starts_with(b"PK\x01\x02") {
            return Err(format!("bad central directory entry at offset {p}"));
        }
        let method = u16le(h, 10);
        let mut compressed = u64::from(u32le(h, 20));
        let mut uncompressed = u64::from(u32le(h, 24));
        let n = usize::from(u16le(h, 28));
        let x = usize::from(u16le(h, 30));
        let c = usize::from(u16le(h, 32));
        let mut local_offset = u64::from(u32le(h, 42));
        let name_b = cd.get(p + 46..p + 46 + n).ok_or("truncated member name")?;
        let extra = cd.get(p + 46 + n..p + 46 + n + x).unwrap_or(&[]);
        // zip64 extra: present fields follow in a fixed order, only those saturated
        let mut q = 0usize;
        while q + 4 <= extra.len() {
            let id = u16le(extra, q);
            let len = usize::from(u16le(extra, q + 2));
            let body = extra.get(q + 4..q + 4 + len).unwrap_or(&[]);
            if id == 1 {
                let mut k = 0usize;
                if uncompressed == 0xFFFF_FFFF {
                    uncompressed = u64le(body, k);
                    k += 8;
                }
                if compressed == 0xFFFF_FFFF {
                    compressed = u64le(body, k);
                    k += 8;
                }
                if local_offset == 0xFFFF_FFFF {
                    local_offset = u64le(body, k);
                }
            }
            q += 4 + len;
        }
        entries.push(Entry {
            name: String::from_utf8_lossy(name_b).into_owned(),
            method,
            compressed,
            uncompressed,
            local_offset,
        });
        p += 46 + n + x + c;
    }
    Ok(Archive { entries, base })
}

/// A member's bytes, at most `cap` of them after inflation.
#[derive(Debug)]
pub struct Member {
    pub data: Vec<u8>,
    /// The member is larger than `cap` (or its stream ended early).
    pub truncated: bool,
    /// The local header names the member differently from the central directory.
    pub local_name: Option<String>,
}

/// Read one member through a bounded reader.
pub fn read(r: &mut dyn ReadSeek, a: &Archive, e: &Entry, cap: u64) -> Result<Member, String> {
    let at = a
        .base
        .checked_add(e.local_offset)
        .ok_or("member offset overflows")?;
    let h = read_at(r, at, 30)?;
    if h.len() < 30 || !h.starts_with(b"PK\x03\x04") {
        return Err(format!("member {}: bad local header", e.name));
    }
    let n = u64::from(u16le(&h, 26));
    let x = u64::from(u16le(&h, 28));
    let name_b = read_at(r, at + 30, n)?;
    let local = String::from_utf8_lossy(&name_b).into_owned();
    let local_name = (local != e.name).then_some(local);
    let start = at + 30 + n + x;
    match e.method {
        0 => {
            let want = e.uncompressed.min(cap);
            let data = read_at(r, start, want)?;
            let truncated = e.uncompressed > cap || (data.len() as u64) < want;
            Ok(Member {
                data,
                truncated,
                local_name,
            })
        }
        8 => {
            let comp = read_at(r, start, e.compressed.min(cap))?;
            let limit = usize::try_from(cap).unwrap_or(usize::MAX);
            match miniz_oxide::inflate::decompress_to_vec_with_limit(&comp, limit) {
                Ok(data) => Ok(Member {
                    data,
                    truncated: false,
                    local_name,
                }),
                Err(err) => Ok(Member {
                    data: err.output,
                    truncated: true,
                    local_name,
                }),
            }
        }
        m => Err(format!(
            "member {}: compression method {m} not supported",
            e.name
        )),
    }
}

/// A member name that would land outside the extraction root.
pub fn escapes_root(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/')
        || name.contains('\\')
        || n.split('/').any(|seg| seg == "..")
        || n.as_bytes().get(1) == Some(&b':')
}

/// Archive-level risks: members escaping the root, names that differ between the local and
/// central headers, and zip-bomb compression ratios.
pub fn archive_risks(a: &Archive, component: &str, path: &str, risks: &mut Vec<crate::bom::Risk>) {
    use crate::risk::risk;
    let mut escaping: Vec<&str> = a
        .entries
        .iter()
        .filter(|e| escapes_root(&e.name))
        .map(|e| e.name.as_str())
        .collect();
    escaping.truncate(10);
    if !escaping.is_empty() {
        risks.push(risk(
            "AIBOM-ARCHIVE-TRAVERSAL",
            Some(component.to_string()),
            format!(
                "archive member names escape the archive root: {}",
                escaping.join(", ")
            ),
            path,
            None,
        ));
    }
    for e in &a.entries {
        if e.uncompressed > BOMB_MIN_BYTES && e.uncompressed / e.compressed.max(1) > BOMB_RATIO {
            risks.push(risk(
                "AIBOM-ARCHIVE-BOMB",
                Some(component.to_string()),
                format!(
                    "archive member {} declares {} bytes from {} compressed (ratio {}:1)",
                    e.name,
                    e.uncompressed,
                    e.compressed,
                    e.uncompressed / e.compressed.max(1)
                ),
                path,
                None,
            ));
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A stored zip with the given members, built by hand.
    pub fn build(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut cd = Vec::new();
        for (name, data) in members {
            let off = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            cd.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0");
            cd.extend_from_slice(&0u32.to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0u8; 12]);
            cd.extend_from_slice(&off.to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&cd);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn lists_and_reads() {
        let z = build(&[("a/data.pkl", b"\x80\x02}."), ("../../etc/passwd", b"x")]);
        let mut c = Cursor::new(z.as_slice());
        let a = list(&mut c, z.len() as u64).unwrap();
        assert_eq!(a.entries.len(), 2);
        let m = read(&mut c, &a, &a.entries[0], 1024).unwrap();
        assert_eq!(m.data, b"\x80\x02}.");
        let m = read(&mut c, &a, &a.entries[0], 2).unwrap();
        assert!(m.truncated);
        let mut risks = Vec::new();
        archive_risks(&a, "model:x", "x.pt", &mut risks);
        assert_eq!(risks[0].rule, "AIBOM-ARCHIVE-TRAVERSAL");
    }

    #[test]
    fn appended_and_hostile() {
        let mut z = b"MZqFpD='stub'\n".to_vec();
        z.extend(build(&[("m.gguf", b"GGUF")]));
        let mut c = Cursor::new(z.as_slice());
        let a = list(&mut c, z.len() as u64).unwrap();
        assert_eq!(read(&mut c, &a, &a.entries[0], 10).unwrap().data, b"GGUF");
        // truncated: chop the central directory
        let z = build(&[("a", b"xyz")]);
        let cut = &z[..z.len() - 30];
        assert!(list(&mut Cursor::new(cut), cut.len() as u64).is_err());
        assert!(list(&mut Cursor::new(&b""[..]), 0).is_err());
        assert!(escapes_root("C:/x") && escapes_root("/etc") && !escapes_root("a/b..c"));
    }
}
