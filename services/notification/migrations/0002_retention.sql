-- Old notifications (with their deliveries and inbox entries) are swept after the
-- retention period, oldest first.
CREATE INDEX notifications_by_age ON notifications (create_time);
