"""Files in GridFS: uploads streamed in and read back as CSV records, and exported parts."""
