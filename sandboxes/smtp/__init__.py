"""An SMTP sink: the mailbox of development. Every message our services send is accepted
and kept; nothing is relayed anywhere.

Run by `kgo up` (`python -m sandboxes.smtp`): SMTP on KGO_SMTP_PORT (17591 +KGO_PORT_OFFSET),
its HTTP API on KGO_SMTP_SANDBOX_PORT (17590), messages in .dev/state/smtp.sqlite3 (raw
bytes as received, so they survive a restart). `kgo mail ls|show` reads them.

SMTP, like a provider's submission server: EHLO, STARTTLS with the dev certificate (when
KGO_SMTP_SANDBOX_TLS_CERT/_KEY are set), AUTH PLAIN or LOGIN with the generated
credentials (.dev/secrets/smtp-username, -password; when both are set, MAIL without AUTH is
refused with 530, and AUTH is offered only after STARTTLS, as real servers do).

HTTP API (no auth; loopback only):

    GET    /sandbox/health
    GET    /messages?to=ADDR&limit=50     newest first: id, from, to (envelope), subject, date, size
    GET    /messages/<id>                 parsed: headers, from, to, cc, subject, messageId, date,
                                          envelope, text, html, attachments [{index, filename,
                                          contentType, size, contentId, disposition}]
    GET    /messages/<id>/raw             the message as received (message/rfc822)
    GET    /messages/<id>/attachments/<index>   one part's decoded bytes
    DELETE /messages?to=ADDR              forget messages (all, or those to ADDR)
    POST   /sandbox/faults {"method": "MAIL"|"RCPT"|"DATA", "mode": "reply"|"stall"|"disconnect",
                            "status": 451, "message": "...", "times": 1, "seconds": 30,
                            "match": {"to": "x@example.com"}}
           the next `times` such commands (RCPT and DATA know "from" and "to", MAIL only
           "from") answer `status` with `message` (reply: 451/421 are temporary, 5xx
           permanent; 421 also closes the connection), wait `seconds` first (stall), or
           drop the connection without an answer (disconnect)
    DELETE /sandbox/faults

Faults live in memory (a restart forgets them).
"""
