"""What media announces; higher domains listen (media imports none of them)."""

from blinker import Namespace

media_signals = Namespace()

# Sent inside the transaction that marks the asset ready: asset_ready.send(asset_id=...)
asset_ready = media_signals.signal("asset-ready")
