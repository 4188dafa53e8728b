"""The NACC's agency types as data: the table, its audit history, the NACC's list, each agency's type and size class.

The agencies of the old fixed choices are moved to the NACC's types; "local_government" is split by the
agency's Thai name (เทศบาลตำบล…, องค์การบริหารส่วนตำบล…) and what no prefix places goes to a type of its
own, so nothing is lost. The reverse moves them back to the old choices.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# (code, Thai name, English name, short forms, local government), in the NACC's order. The old choices'
# codes are kept, so files that name them still import; their old Thai and English labels are short forms.
NACC_TYPES = [
    ("court", "ศาล", "Court", "หน่วยธุรการขององค์กรศาล", False),
    ("independent", "องค์กรอิสระ", "Independent organisation", "", False),
    ("public_prosecution", "องค์กรอัยการ", "Public prosecution organisation", "", False),
    ("parliamentary", "หน่วยงานในสังกัดรัฐสภา", "Parliamentary agency", "", False),
    ("ministry", "ส่วนราชการระดับกระทรวง", "Ministry", "กระทรวง", False),
    ("department", "ส่วนราชการระดับกรม", "Department", "กรม, กรมหรือเทียบเท่า", False),
    ("province", "จังหวัด", "Province", "", False),
    ("state_enterprise", "รัฐวิสาหกิจ", "State enterprise", "", False),
    ("public_organisation", "องค์การมหาชน", "Public organisation", "", False),
    ("fund", "กองทุน", "Fund", "", False),
    # The NACC's lists print "หน่วยงานของรัฐอื่น ๆ" (shared/ita/README.md, 2562).
    ("other", "หน่วยงานของรัฐอื่น ๆ", "Other state agency", "หน่วยงานของรัฐอื่น, อื่น ๆ, Other", False),
    ("university", "สถาบันอุดมศึกษา", "Higher education institution", "University", False),
    ("provincial_administration", "องค์การบริหารส่วนจังหวัด", "Provincial administrative organisation", "อบจ.", True),
    ("city_municipality", "เทศบาลนคร", "City municipality", "ทน.", True),
    ("town_municipality", "เทศบาลเมือง", "Town municipality", "ทม.", True),
    ("subdistrict_municipality", "เทศบาลตำบล", "Sub-district municipality", "ทต.", True),
    ("subdistrict_administration", "องค์การบริหารส่วนตำบล", "Sub-district administrative organisation", "อบต.", True),
    ("bangkok", "กรุงเทพมหานคร", "Bangkok Metropolitan Administration", "กทม.", True),
    ("pattaya", "เมืองพัทยา", "Pattaya City", "", True),
    (
        "local_government",
        "องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท)",
        "Local government (type not given)",
        "องค์กรปกครองส่วนท้องถิ่น, อปท., Local government",
        True,
    ),
]

# A local government's type from the start of its Thai name, as the NACC names them.
LOCAL_PREFIXES = [
    ("องค์การบริหารส่วนจังหวัด", "provincial_administration"),
    ("องค์การบริหารส่วนตำบล", "subdistrict_administration"),
    ("เทศบาลนคร", "city_municipality"),
    ("เทศบาลเมือง", "town_municipality"),
    ("เทศบาลตำบล", "subdistrict_municipality"),
    ("กรุงเทพมหานคร", "bangkok"),
    ("เมืองพัทยา", "pattaya"),
]

OLD_CHOICES = [
    ("ministry", "Ministry"),
    ("province", "Province"),
    ("department", "Department"),
    ("state_enterprise", "State enterprise"),
    ("public_organisation", "Public organisation"),
    ("local_government", "Local government"),
    ("university", "University"),
    ("independent", "Independent organisation"),
    ("other", "Other"),
]


def nacc_type_for(old_code, name_th):
    """The NACC type's code for an agency of an old choice: the same code, except that a local government
    takes the type its Thai name starts with (the generic local_government when none does)."""
    if old_code != "local_government":
        return old_code
    name = "".join(name_th.split())
    for prefix, code in LOCAL_PREFIXES:
        if name.startswith(prefix):
            return code
    return "local_government"


def old_choice_for(code, is_local_government):
    """The old choice an agency of a NACC type goes back to; types the old list lacked become "other"."""
    if is_local_government:
        return "local_government"
    return code if code in dict(OLD_CHOICES) else "other"


def add_nacc_types(apps, schema_editor):
    """Create the NACC's types that are missing, each with its first entry in the audit history."""
    AgencyType = apps.get_model("assessments", "AgencyType")
    HistoricalAgencyType = apps.get_model("assessments", "HistoricalAgencyType")
    for order, (code, name_th, name_en, short_names, local) in enumerate(NACC_TYPES, 1):
        values = {
            "name_th": name_th,
            "name_en": name_en,
            "short_names": short_names,
            "is_local_government": local,
            "order": order * 10,
        }
        agency_type, created = AgencyType.objects.get_or_create(code=code, defaults=values)
        if created and not HistoricalAgencyType.objects.filter(id=agency_type.pk).exists():
            HistoricalAgencyType.objects.create(
                id=agency_type.pk,
                code=code,
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="NACC agency types (migration 0008)",
                **values,
            )


def move_to_nacc_types(apps, schema_editor):
    Agency = apps.get_model("assessments", "Agency")
    types = {t.code: t for t in apps.get_model("assessments", "AgencyType").objects.all()}
    for agency in Agency.objects.all():
        agency.agency_type = types[nacc_type_for(agency.old_agency_type, agency.name_th)]
        agency.save(update_fields=["agency_type"])


def move_back_to_old_choices(apps, schema_editor):
    Agency = apps.get_model("assessments", "Agency")
    for agency in Agency.objects.select_related("agency_type"):
        agency.old_agency_type = old_choice_for(agency.agency_type.code, agency.agency_type.is_local_government)
        agency.save(update_fields=["old_agency_type"])


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0007_score_indicator'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AgencyType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                ('name_th', models.CharField(max_length=128, unique=True, verbose_name='Thai name')),
                ('name_en', models.CharField(blank=True, max_length=128, verbose_name='English name')),
                ('short_names', models.CharField(blank=True, help_text='Other names and short forms that imports accept, separated by commas, e.g. อบต., อบต', max_length=255, verbose_name='short forms')),
                ('is_local_government', models.BooleanField(default=False, help_text='Only local governments have a size class (L, M, S).', verbose_name='local government')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'agency type',
                'verbose_name_plural': 'agency types',
                'ordering': ['order', 'name_th'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAgencyType',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, verbose_name='code')),
                ('name_th', models.CharField(db_index=True, max_length=128, verbose_name='Thai name')),
                ('name_en', models.CharField(blank=True, max_length=128, verbose_name='English name')),
                ('short_names', models.CharField(blank=True, help_text='Other names and short forms that imports accept, separated by commas, e.g. อบต., อบต', max_length=255, verbose_name='short forms')),
                ('is_local_government', models.BooleanField(default=False, help_text='Only local governments have a size class (L, M, S).', verbose_name='local government')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical agency type',
                'verbose_name_plural': 'historical agency types',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(add_nacc_types, migrations.RunPython.noop),
        migrations.RenameField(model_name='agency', old_name='agency_type', new_name='old_agency_type'),
        migrations.AddField(
            model_name='agency',
            name='agency_type',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agencies', to='assessments.agencytype', verbose_name='agency type'),
        ),
        migrations.AddField(
            model_name='agency',
            name='size_class',
            field=models.CharField(blank=True, choices=[('L', 'L (large)'), ('M', 'M (medium)'), ('S', 'S (small)')], help_text='For local governments only, as the NACC classes them from 2568.', max_length=1, verbose_name='size class'),
        ),
        migrations.RunPython(move_to_nacc_types, move_back_to_old_choices),
        # A default, so that the reverse can add the old column back to a table that has rows.
        migrations.AlterField(
            model_name='agency',
            name='old_agency_type',
            field=models.CharField(choices=OLD_CHOICES, default='other', max_length=32, verbose_name='agency type'),
        ),
        migrations.RemoveField(model_name='agency', name='old_agency_type'),
        migrations.AlterField(
            model_name='agency',
            name='agency_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agencies', to='assessments.agencytype', verbose_name='agency type'),
        ),
    ]
