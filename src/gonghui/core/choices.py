from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    STAFF = "staff", _("工作人员")
    VIEWER = "viewer", _("只读")
    JUDGE = "judge", _("裁判/评委")
    DISTRIBUTOR = "distributor", _("发放员")
    STATION_KEEPER = "station_keeper", _("驿站管理员")


# Roles that may read everything in their subtree, and those that may write.
READ_ROLES = (Role.ADMIN, Role.STAFF, Role.VIEWER)
WRITE_ROLES = (Role.ADMIN, Role.STAFF)
ADMIN_ROLES = (Role.ADMIN,)
