"""Appointments (预约): the services' slots, bookings, check-in at the kiosk (issue 15)."""
