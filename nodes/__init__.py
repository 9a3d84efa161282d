"""The six LTX2.3 AIO super-nodes and what they share."""
