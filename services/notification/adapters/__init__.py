"""notification-service adapters: the delivery channels (SMTP, FCM, APNs) and, beside them, its repositories."""
