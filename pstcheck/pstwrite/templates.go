package pstwrite

// The column sets of the template tables MS-PST 2.4 requires, with the
// types Outlook gives them (every Outlook-written sample agrees: PST and
// OST, 2003 to 2016). Each folder's tables take the columns of their
// template, as Outlook creates them; recipient and attachment tables take
// their template's columns plus any other property their rows carry.
var (
	// NID_HIERARCHY_TABLE_TEMPLATE (MS-PST 2.4.4.4.1)
	hierarchyColumns = []uint32{
		0x0E300102, 0x0E330014, 0x0E340102, 0x0E380003, 0x3001001F, 0x36020003,
		0x36030003, 0x360A000B, 0x3613001F, 0x66350003, 0x66360003,
	}
	// NID_CONTENTS_TABLE_TEMPLATE (MS-PST 2.4.4.5.1)
	contentsColumns = []uint32{
		0x00170003, 0x001A001F, 0x00360003, 0x0037001F, 0x00390040, 0x0042001F,
		0x0057000B, 0x0058000B, 0x0070001F, 0x00710102, 0x0E03001F, 0x0E04001F,
		0x0E060040, 0x0E070003, 0x0E080003, 0x0E170003, 0x0E300102, 0x0E330014,
		0x0E340102, 0x0E380003, 0x0E3C0102, 0x0E3D0102, 0x10970003, 0x30080040,
		0x65C60003,
	}
	// NID_ASSOC_CONTENTS_TABLE_TEMPLATE (MS-PST 2.4.4.6.1)
	assocContentsColumns = []uint32{
		0x001A001F, 0x0E070003, 0x0E170003, 0x3001001F, 0x6800001F, 0x6803000B,
		0x68051003, 0x682F001F, 0x70030003, 0x70040102, 0x70050102, 0x7006001F,
		0x70070003,
	}
	// NID_SEARCH_CONTENTS_TABLE_TEMPLATE (MS-PST 2.4.8.6.2.1)
	searchContentsColumns = []uint32{
		0x00170003, 0x001A001F, 0x00360003, 0x0037001F, 0x0042001F, 0x0057000B,
		0x0058000B, 0x0E03001F, 0x0E04001F, 0x0E05001F, 0x0E060040, 0x0E070003,
		0x0E080003, 0x0E170003, 0x0E2A000B, 0x30080040, 0x67F10003,
	}
	// NID_RECIPIENT_TABLE (MS-PST 2.4.5.3.1)
	recipientColumns = []uint32{
		0x0C150003, 0x0E0F000B, 0x0FF90102, 0x0FFE0003, 0x0FFF0102, 0x3001001F,
		0x3002001F, 0x3003001F, 0x300B0102, 0x39000003, 0x39FF001F, 0x3A40000B,
	}
	// NID_ATTACHMENT_TABLE (MS-PST 2.4.6.1.1)
	attachmentColumns = []uint32{0x0E200003, 0x3704001F, 0x37050003, 0x370B0003}
)

// Fixed NIDs (MS-PST 2.4.1, 2.7.1).
const (
	nidMessageStore          = 0x21
	nidNameToIDMap           = 0x61
	nidRootFolder            = 0x122
	nidSearchManagementQueue = 0x1E1
	nidSearchActivityList    = 0x201
	nidHierarchyTemplate     = 0x60D
	nidContentsTemplate      = 0x60E
	nidAssocContentsTemplate = 0x60F
	nidSearchContentsTmpl    = 0x610
	nidAttachmentTable       = 0x671
	nidRecipientTable        = 0x692
	nidSpamSearchFolder      = 0x2223 // with its update queue, criteria and contents table at the same index
	nidIPMSubtree            = 0x8022
	nidSearchRoot            = 0x8042
	nidDeletedItems          = 0x8062
	firstUserFolderIndex     = 0x404 // after the three folders above
)
