from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("")


home = my_card = org_home = org_detail = org_tree_children = org_edit = org_create_child = _todo
member_create_view = member_export = member_detail = member_edit = member_transfer_view = _todo
member_reveal_view = member_card = member_qr = audit_list_view = _todo
