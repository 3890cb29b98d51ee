"""E-mail: the outbox sender (``sender``) and the Danish mail templates (``compose``)."""
