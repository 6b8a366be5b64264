//! The parse floor: read and split a snapshot's CSV files with the `csv` crate (byte
//! records, no conversions), and nothing else. `bench/run.sh` times it next to roster.

use std::path::Path;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let mut rows = 0u64;
    let mut fields = 0u64;
    for name in ["users.csv", "teams.csv", "records.csv"] {
        let path = Path::new(&dir).join(name);
        let Ok(mut reader) = csv::ReaderBuilder::new().from_path(&path) else { continue };
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            rows += 1;
            fields += record.len() as u64;
        }
    }
    println!("{rows} rows, {fields} fields");
}
