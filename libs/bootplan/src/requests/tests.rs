//! Request and base-revision scanning, with and without the delimiters.

use super::*;

const HHDM_ID: [u64; 4] = [COMMON_MAGIC[0], COMMON_MAGIC[1], 0x48dcf1cb8ad2b852, 0x63984e959a98244b];
const MEMMAP_ID: [u64; 4] = [COMMON_MAGIC[0], COMMON_MAGIC[1], 0x67cf3d9d378a806f, 0xe304acdfc50c3c62];

/// An image written as 64-bit words.
fn image(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|word| word.to_le_bytes()).collect()
}

/// A request as the limine crate lays it out: id, revision, response.
fn request(id: [u64; 4], revision: u64) -> Vec<u64> {
    vec![id[0], id[1], id[2], id[3], revision, 0]
}

fn base_revision(wanted: u64) -> Vec<u64> {
    vec![BASE_REVISION_MAGIC[0], BASE_REVISION_MAGIC[1], wanted]
}

#[test]
fn finds_requests_and_the_base_revision_between_the_markers() {
    let words =
        [START_MARKER.to_vec(), base_revision(2), request(HHDM_ID, 0), request(MEMMAP_ID, 0), END_MARKER.to_vec()]
            .concat();
    let scan = RequestScan::scan(&image(&words)).unwrap();
    assert_eq!(scan.base_revision_tag, Some(BaseRevisionTag { offset: 32, requested: 2 }));
    assert_eq!(scan.requests.iter().map(|r| r.offset).collect::<Vec<_>>(), [56, 104]);
    assert_eq!(scan.find(&MEMMAP_ID).unwrap().response_offset(), 144);
    assert_eq!(scan.base_revision(), 2);
}

#[test]
fn ignores_everything_before_the_last_start_marker_and_after_the_first_end_marker() {
    let words = [
        request(HHDM_ID, 0),
        START_MARKER.to_vec(),
        base_revision(1),
        START_MARKER.to_vec(),
        request(MEMMAP_ID, 0),
        END_MARKER.to_vec(),
        base_revision(2),
        request(HHDM_ID, 0),
    ]
    .concat();
    let scan = RequestScan::scan(&image(&words)).unwrap();
    assert_eq!(scan.base_revision_tag, None);
    assert_eq!(scan.requests.len(), 1);
    assert_eq!(scan.requests[0].id, MEMMAP_ID);
}

#[test]
fn scans_the_whole_image_without_markers() {
    let words = [vec![0, 0], request(HHDM_ID, 3), vec![7], base_revision(0)].concat();
    let scan = RequestScan::scan(&image(&words)).unwrap();
    assert_eq!(scan.requests, [FoundRequest { offset: 16, id: HHDM_ID, revision: 3 }]);
    assert_eq!(scan.base_revision_tag, Some(BaseRevisionTag { offset: 72, requested: 0 }));
}

#[test]
fn boots_revision_0_without_a_tag() {
    let scan = RequestScan::scan(&image(&request(HHDM_ID, 0))).unwrap();
    assert_eq!(scan.base_revision(), 0);
    assert_eq!(scan.supported_marker_offset(), None);
}

#[test]
fn marks_revisions_up_to_2_supported_by_their_third_word() {
    for wanted in 0..=2 {
        let scan = RequestScan::scan(&image(&[vec![0], base_revision(wanted)].concat())).unwrap();
        assert_eq!(scan.base_revision(), wanted);
        assert_eq!(scan.supported_marker_offset(), Some(24));
    }
}

#[test]
fn boots_a_newer_revision_as_2_and_leaves_its_tag_unchanged() {
    let scan = RequestScan::scan(&image(&base_revision(3))).unwrap();
    assert_eq!(scan.base_revision(), 2);
    assert_eq!(scan.supported_marker_offset(), None);
}

#[test]
fn refuses_two_requests_with_the_same_id() {
    let words = [request(HHDM_ID, 0), request(HHDM_ID, 1)].concat();
    assert_eq!(RequestScan::scan(&image(&words)), Err(ScanError::DuplicateRequest { id: [HHDM_ID[2], HHDM_ID[3]] }));
}

#[test]
fn refuses_two_base_revision_tags() {
    let words = [base_revision(0), base_revision(2)].concat();
    assert_eq!(RequestScan::scan(&image(&words)), Err(ScanError::DuplicateBaseRevisionTag));
}

#[test]
fn ignores_a_request_cut_off_by_the_end_of_the_image() {
    let words = &request(HHDM_ID, 0)[..4];
    assert!(RequestScan::scan(&image(words)).unwrap().requests.is_empty());
}

#[test]
fn takes_revision_0_requests_from_a_pointer_list() {
    const BASE: u64 = 0xffff_ffff_8000_0000;
    let bytes = image(&[request(HHDM_ID, 0), request(MEMMAP_ID, 0)].concat());
    let list = image(&[BASE + 48, 0, BASE]);
    let scan = RequestScan::scan(&bytes).unwrap().from_pointer_list(&bytes, BASE, &list).unwrap();
    assert_eq!(scan.requests.len(), 1);
    assert_eq!(scan.requests[0].id, MEMMAP_ID);

    let outside = image(&[BASE + 0x1000, 0]);
    let error = RequestScan::scan(&bytes).unwrap().from_pointer_list(&bytes, BASE, &outside);
    assert_eq!(error, Err(ScanError::ListedRequestOutsideImage { address: BASE + 0x1000 }));
}
