from lms.accounts.models import User
from lms.media.models import VideoAsset


def can_view_asset(user: User, asset: VideoAsset) -> bool:
    """The uploader and admins see an asset's processing state."""
    return user.has_role("admin") or asset.owner_id == user.id
