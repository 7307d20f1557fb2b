//! `read_at`, the `read(2)` contract, and `block`, "read sector N".

use super::fixtures::{GNU_USTAR, big_txt, block_bin};
use crate::{Archive, BLOCK_BYTES, block, read_at};

#[test]
fn read_at_copies_what_is_there() {
    let data = b"0123456789";
    let mut buffer = [b'#'; 4];
    assert_eq!(read_at(data, 0, &mut buffer), 4);
    assert_eq!(&buffer, b"0123");
    assert_eq!(read_at(data, 5, &mut buffer), 4);
    assert_eq!(&buffer, b"5678");
    assert_eq!(read_at(data, 8, &mut buffer), 2, "short near the end");
    assert_eq!(&buffer, b"8978", "only the bytes read are written");
    assert_eq!(read_at(data, 10, &mut buffer), 0, "0 at the end");
    assert_eq!(read_at(data, 11, &mut buffer), 0, "0 past the end");
    assert_eq!(read_at(data, u64::MAX, &mut buffer), 0);
    assert_eq!(read_at(data, 3, &mut []), 0);
    assert_eq!(read_at(b"", 0, &mut buffer), 0);
    let mut large = [0; 64];
    assert_eq!(read_at(data, 0, &mut large), 10);
    assert_eq!(&large[..10], data);
}

/// Reads each file of the fixture in chunks that do and do not line up with
/// blocks, the way `cat` does, and puts it back together.
#[test]
fn chunked_reads_rebuild_every_file_across_block_boundaries() {
    let archive = Archive::new(GNU_USTAR);
    let files = [("big.txt", big_txt()), ("block.bin", block_bin()), ("empty.txt", Vec::new())];
    for (name, expected) in files {
        let data = archive.find(name).unwrap().unwrap().data;
        for chunk in [1, 7, 100, 511, 512, 513, 700, 4096, 5000] {
            let mut rebuilt = Vec::new();
            let mut buffer = vec![0; chunk];
            let mut offset = 0;
            loop {
                let count = read_at(data, offset, &mut buffer);
                if count == 0 {
                    break;
                }
                assert!(count == chunk || offset + count as u64 == data.len() as u64, "short read mid-file");
                rebuilt.extend_from_slice(&buffer[..count]);
                offset += count as u64;
            }
            assert_eq!(rebuilt, expected, "{name} in chunks of {chunk}");
        }
    }

    let data = archive.find("block.bin").unwrap().unwrap().data;
    let mut buffer = [0; 512];
    assert_eq!((read_at(data, 0, &mut buffer), read_at(data, 512, &mut buffer)), (512, 0));
    let big = archive.find("big.txt").unwrap().unwrap().data;
    let mut across = [0; 4];
    assert_eq!(read_at(big, 510, &mut across), 4);
    assert_eq!(across, big_txt()[510..514]);
}

#[test]
fn block_shows_whole_blocks_only() {
    assert_eq!(&block(GNU_USTAR, 0).unwrap()[..9], b"hello.txt");
    assert_eq!(&block(GNU_USTAR, 1).unwrap()[..22], b"Hello from the vault!\n");
    assert_eq!(block(GNU_USTAR, GNU_USTAR.len() / BLOCK_BYTES - 1), Some(&[0; BLOCK_BYTES]));
    assert_eq!(block(GNU_USTAR, GNU_USTAR.len() / BLOCK_BYTES), None);
    assert_eq!(block(&GNU_USTAR[..1000], 1), None, "a partial block is not a block");
    assert_eq!(block(GNU_USTAR, usize::MAX), None);
    assert_eq!(block(&[], 0), None);
}
