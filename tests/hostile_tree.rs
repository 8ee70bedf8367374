//! A tree full of the strange things real monorepos and download folders contain. The scan must
//! finish, exit 0, name each problem in a warning or a skip count, and produce valid output.
#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

fn build_hostile_tree(root: &Path) {
    fn fs(p: impl AsRef<Path>, c: impl AsRef<[u8]>) -> std::io::Result<()> {
        std::fs::write(p, c)
    }
    fs(root.join("requirements.txt"), "transformers==4.44.2\n").unwrap();
    // symlink loop and a dangling link
    std::fs::create_dir_all(root.join("loop/inner")).unwrap();
    std::os::unix::fs::symlink("..", root.join("loop/inner/up")).unwrap();
    std::os::unix::fs::symlink("does-not-exist", root.join("dangling")).unwrap();
    // a FIFO: opening it for reading would block forever
    let status = Command::new("mkfifo")
        .arg(root.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    // a non-UTF-8 file name holding a real manifest
    let odd = root.join(OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir_all(&odd).unwrap();
    fs(odd.join("requirements.txt"), "torch==2.3.1\n").unwrap();
    // a 100 MB single-line manifest and binary junk where text is expected
    let big = "a".repeat(100 * 1024 * 1024);
    std::fs::create_dir_all(root.join("huge")).unwrap();
    fs(root.join("huge/requirements.txt"), big).unwrap();
    std::fs::create_dir_all(root.join("junk")).unwrap();
    fs(
        root.join("junk/requirements.txt"),
        [0u8, 159, 146, 150, 0, 255, 10],
    )
    .unwrap();
    // an unreadable directory and file (root can still read them; the scan must not care)
    std::fs::create_dir_all(root.join("locked")).unwrap();
    fs(root.join("locked/requirements.txt"), "openai==1.40.0\n").unwrap();
    fs(root.join("secret-requirements.txt"), "openai==1.40.0\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("secret-requirements.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // a directory chain deeper than PATH_MAX allows to open by full path
    let status = Command::new("bash")
        .arg("-c")
        .arg("cd \"$1\" && for i in $(seq 10000); do mkdir d && cd d || exit 1; done; echo x > requirements.txt")
        .arg("_")
        .arg(root)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn hostile_tree_scans_to_completion() {
    let dir = tempfile::tempdir().unwrap();
    build_hostile_tree(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_aibom"))
        .args(["scan", "--quiet", "-f", "json", "--follow-symlinks"])
        .arg(dir.path())
        .output()
        .unwrap();
    // restore permissions so the temp dir can be removed
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(
        dir.path().join("locked"),
        std::fs::Permissions::from_mode(0o755),
    );
    // the deep chain is beyond what std's remove_dir_all can reach by full path; rm can
    let _ = Command::new("rm")
        .arg("-rf")
        .arg(dir.path().join("d"))
        .status();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bom = aibom::render::json::parse(&out.stdout).expect("valid aibom JSON");
    let warnings: Vec<String> = bom
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.message))
        .collect();
    let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
    assert!(has("loop"), "symlink loop not reported: {warnings:#?}");
    assert!(
        has("huge/requirements.txt"),
        "oversized file not reported: {warnings:#?}"
    );
    assert!(
        bom.coverage
            .skipped
            .get("special-file")
            .copied()
            .unwrap_or(0)
            >= 1,
        "FIFO not counted"
    );
    // the rest of the tree is still inventoried, non-UTF-8 directory included
    assert!(bom
        .components
        .iter()
        .any(|c| c.id == "library:pypi/transformers@4.44.2"));
    assert!(bom
        .components
        .iter()
        .any(|c| c.id == "library:pypi/torch@2.3.1"));
}

#[test]
fn file_deleted_before_it_is_read_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, "torch==2.3.1\n").unwrap();
    let input = aibom::detect::FileInput::new("requirements.txt".into(), path.clone(), 13, false);
    std::fs::remove_file(&path).unwrap();
    let err = input.text().unwrap_err();
    assert!(err.contains("cannot open"), "{err}");
}
