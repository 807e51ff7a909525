//! Writing ids into preallocated buffers: padded rows, bags (CSR) and tf-idf weights.
//!
//! INTERFACE (fixed; the implementation may add items):
//! - `write_row(ids: &[i32], row: &mut [i32], padding: Side, truncating: Side) -> usize` (length written; the rest
//!   of `row` is zero)

use crate::config::Side;

/// Write `ids` into `row` with padding (zeros) and truncation; returns the number of ids written.
pub fn write_row(ids: &[i32], row: &mut [i32], padding: Side, truncating: Side) -> usize {
    let n = ids.len().min(row.len());
    let src = match truncating {
        Side::Post => &ids[..n],
        Side::Pre => &ids[ids.len() - n..],
    };
    row.fill(0);
    match padding {
        Side::Post => row[..n].copy_from_slice(src),
        Side::Pre => {
            let off = row.len() - n;
            row[off..].copy_from_slice(src)
        }
    }
    n
}
