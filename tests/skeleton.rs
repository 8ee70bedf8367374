mod common;

#[test]
fn empty_tree_scans_to_an_empty_bom() {
    let dir = tempfile::tempdir().unwrap();
    let bom = aibom::scan::run_scan(&aibom::scan::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .unwrap();
    assert!(bom.components.is_empty());
    assert_eq!(bom.coverage.walked, 0);
    assert_eq!(common::summary(&bom), "");
}
