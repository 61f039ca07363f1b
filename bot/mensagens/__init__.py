"""The words the bot says: the template library of mensagens/, the channels' own messages, WhatsApp templates."""
