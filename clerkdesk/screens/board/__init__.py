"""The hall board (叫号屏): the TV over the counters."""
