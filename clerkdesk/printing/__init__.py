"""Printing the kiosk's tickets: the ticket as plain text (with its QR code in Unicode blocks),
as ESC/POS bytes for a receipt printer, and the printers a kiosk's config names (a text file, an
ESC/POS device such as /dev/usb/lp0, a CUPS queue through `lp`, or the screen alone). No
Textual, no hall: plain data in, text or bytes out, and the one blocking write."""
