-- Green Channel 0.1.0, schema 18: the sandbox's sample data
PRAGMA user_version = 18;
BEGIN TRANSACTION;
CREATE TABLE approval_number_counters (
        year INTEGER PRIMARY KEY,
        last INTEGER NOT NULL CHECK (last >= 1)
    );
INSERT INTO "approval_number_counters" VALUES(2026,2);
CREATE TABLE approval_numbers (
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        number TEXT NOT NULL,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        issued_at TEXT NOT NULL,
        PRIMARY KEY (year, seq)
    );
INSERT INTO "approval_numbers" VALUES(2026,1,'区环审〔2026〕1号',2,'2026-12-01T21:13:08.829440Z');
INSERT INTO "approval_numbers" VALUES(2026,2,'区环审〔2026〕2号',3,'2026-12-01T21:13:08.842651Z');
CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        file_id TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mime TEXT NOT NULL
    , unique_id TEXT, uploaded_at TEXT, sha256 TEXT, stored_at TEXT);
INSERT INTO "attachments" VALUES(1,1,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(2,2,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(3,3,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(4,4,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(5,5,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(6,6,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(7,7,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
INSERT INTO "attachments" VALUES(8,8,'sample-file','样例环评报告表.pdf',79,'application/pdf',NULL,NULL,NULL,NULL);
CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        actor_id INTEGER NOT NULL,
        actor_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT
    , approval_number TEXT, target_id INTEGER, target_name TEXT NOT NULL DEFAULT '', file_name TEXT NOT NULL DEFAULT '', sha256 TEXT, file_size INTEGER);
INSERT INTO "audit_events" VALUES(1,1,1001,'王建设 (区水务集团)','2026-12-01T21:13:08.606611Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(2,2,1001,'王建设 (区水务集团)','2026-10-06T21:13:08.634080Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(3,3,1002,'Li Na (Eastport Energy)','2026-10-06T21:13:08.654009Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(4,4,1002,'Li Na (Eastport Energy)','2026-12-01T21:13:08.657912Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(5,5,1001,'王建设 (区水务集团)','2026-12-01T21:13:08.670183Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(6,6,1002,'Li Na (Eastport Energy)','2026-12-01T21:13:08.685990Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(7,2,2001,'张审批','2026-10-06T21:13:08.694727Z','accept','received','submitted',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(8,3,2001,'张审批','2026-10-06T21:13:08.710465Z','accept','received','submitted',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(9,4,2001,'张审批','2026-12-01T21:13:08.722544Z','accept','received','submitted',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(10,5,2001,'张审批','2026-12-01T21:13:08.736913Z','accept','received','submitted',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(11,6,2001,'张审批','2026-12-01T21:13:08.750497Z','accept','received','submitted',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(12,2,2001,'张审批','2026-11-10T21:13:08.770305Z','claim','submitted','in_review',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(13,2,2001,'张审批','2026-11-10T21:13:08.778781Z','propose_approval','in_review','in_notice',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(14,3,2001,'张审批','2026-11-10T21:13:08.794331Z','claim','submitted','in_review',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(15,3,2001,'张审批','2026-11-10T21:13:08.810355Z','propose_approval','in_review','in_notice',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(16,2,2001,'张审批','2026-12-01T21:13:08.829440Z','approve','in_notice','approved',NULL,'区环审〔2026〕1号',NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(17,3,2001,'张审批','2026-12-01T21:13:08.842651Z','approve','in_notice','approved',NULL,'区环审〔2026〕2号',NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(18,4,2001,'张审批','2026-12-01T21:13:08.854236Z','claim','submitted','in_review',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(19,4,2001,'张审批','2026-12-01T21:13:08.870457Z','reject','in_review','rejected','选址位于饮用水源保护区（样例）',NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(20,5,2001,'张审批','2026-12-01T21:13:08.878240Z','claim','submitted','in_review',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(21,5,2001,'张审批','2026-12-01T21:13:08.890400Z','request_info','in_review','needs_info','请补充噪声监测报告（样例）',NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(22,6,2001,'张审批','2026-12-01T21:13:08.902216Z','claim','submitted','in_review',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(23,7,1002,'Li Na (Eastport Energy)','2026-12-01T21:13:08.917945Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(24,7,2001,'张审批','2026-12-01T21:13:08.934340Z','list_missing','received','incomplete','1. 规划选址意见（样例）
2. 噪声监测报告（样例）',NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(25,8,1001,'王建设 (区水务集团)','2026-10-17T21:13:08.937894Z','submit',NULL,'received',NULL,NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(26,8,2001,'张审批','2026-10-17T21:13:08.950551Z','list_missing','received','incomplete','1. 建设项目备案文件（样例）',NULL,NULL,'','',NULL,NULL);
INSERT INTO "audit_events" VALUES(27,8,0,'','2026-12-01T21:13:08.953579Z','return','incomplete','returned',NULL,NULL,NULL,'','',NULL,NULL);
CREATE TABLE cards (
        request_id INTEGER NOT NULL REFERENCES requests (id),
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (request_id, chat_id, message_id)
    );
CREATE TABLE chat_migrations (
        old_chat_id INTEGER PRIMARY KEY,
        new_chat_id INTEGER NOT NULL
    );
CREATE TABLE clock_stops (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL CHECK (kind IN ('technical_assessment', 'expert_review', 'hearing')),
        days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 120),
        started_on TEXT NOT NULL,
        started_at TEXT NOT NULL,
        expected_end TEXT NOT NULL,
        ended_on TEXT,
        ended_at TEXT,
        ended_by INTEGER,
        result TEXT,
        excluded_days INTEGER CHECK (excluded_days >= 0),
        CHECK ((ended_on IS NULL) = (ended_at IS NULL))
    );
CREATE TABLE denials (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        error TEXT NOT NULL,
        detail TEXT NOT NULL
    );
CREATE TABLE file_copies (
        attachment_id INTEGER PRIMARY KEY REFERENCES attachments (id),
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL DEFAULT '',
        last_error TEXT
    );
INSERT INTO "file_copies" VALUES(1,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(2,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(3,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(4,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(5,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(6,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(7,'pending',0,'',NULL);
INSERT INTO "file_copies" VALUES(8,'pending',0,'',NULL);
CREATE TABLE fsm (
        key TEXT PRIMARY KEY,
        state TEXT,
        data TEXT NOT NULL DEFAULT '{}'
    );
CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
CREATE TABLE key_project_imports (
        id INTEGER PRIMARY KEY,
        admin_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        base_version INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'applied', 'cancelled', 'superseded')),
        decided_at TEXT,
        projects TEXT NOT NULL
    );
CREATE TABLE key_project_list (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
INSERT INTO "key_project_list" VALUES(1,1);
CREATE TABLE key_projects (
        code TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        planned_start TEXT,
        planned_approval TEXT
    , archived_in INTEGER);
INSERT INTO "key_projects" VALUES('S01',0,'示例重点项目01（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S02',1,'示例重点项目02（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S03',2,'示例重点项目03（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S04',3,'示例重点项目04（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S05',4,'示例重点项目05（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S06',5,'示例重点项目06（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S07',6,'示例重点项目07（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S08',7,'示例重点项目08（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S09',8,'示例重点项目09（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S10',9,'示例重点项目10（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S11',10,'示例重点项目11（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S12',11,'示例重点项目12（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S13',12,'示例重点项目13（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S14',13,'示例重点项目14（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S15',14,'示例重点项目15（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S16',15,'示例重点项目16（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S17',16,'示例重点项目17（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S18',17,'示例重点项目18（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S19',18,'示例重点项目19（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S20',19,'示例重点项目20（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S21',20,'示例重点项目21（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S22',21,'示例重点项目22（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S23',22,'示例重点项目23（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S24',23,'示例重点项目24（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S25',24,'示例重点项目25（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S26',25,'示例重点项目26（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S27',26,'示例重点项目27（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S28',27,'示例重点项目28（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S29',28,'示例重点项目29（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S30',29,'示例重点项目30（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S31',30,'示例重点项目31（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S32',31,'示例重点项目32（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S33',32,'示例重点项目33（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S34',33,'示例重点项目34（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S35',34,'示例重点项目35（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S36',35,'示例重点项目36（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S37',36,'示例重点项目37（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S38',37,'示例重点项目38（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S39',38,'示例重点项目39（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S40',39,'示例重点项目40（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S41',40,'示例重点项目41（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S42',41,'示例重点项目42（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S43',42,'示例重点项目43（样例数据）','示例建设单位1',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S44',43,'示例重点项目44（样例数据）','示例建设单位2',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S45',44,'示例重点项目45（样例数据）','示例建设单位3',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S46',45,'示例重点项目46（样例数据）','示例建设单位4',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S47',46,'示例重点项目47（样例数据）','示例建设单位5',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S48',47,'示例重点项目48（样例数据）','示例建设单位6',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S49',48,'示例重点项目49（样例数据）','示例建设单位7',NULL,NULL,NULL);
INSERT INTO "key_projects" VALUES('S50',49,'示例重点项目50（样例数据）','示例建设单位1',NULL,NULL,NULL);
CREATE TABLE material_checklists (
        document_type TEXT PRIMARY KEY,
        items TEXT NOT NULL
    );
CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        author_id INTEGER NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        text TEXT NOT NULL
    );
CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL CHECK (kind IN ('acceptance', 'intended_decision', 'decision')),
        opened_at TEXT NOT NULL,
        opens_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        project_name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        location TEXT NOT NULL,
        summary TEXT NOT NULL,
        eia_firm TEXT,
        outcome TEXT,
        approval_number TEXT,
        closed_at TEXT
    );
INSERT INTO "notices" VALUES(1,2,'acceptance','2026-10-06T21:13:08.694727Z','2026-10-07','2026-10-20','示例重点项目01（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,NULL,NULL,NULL);
INSERT INTO "notices" VALUES(2,5,'acceptance','2026-12-01T21:13:08.736913Z','2026-12-02','2026-12-16','示例重点项目02（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,NULL,NULL,NULL);
INSERT INTO "notices" VALUES(3,2,'intended_decision','2026-11-10T21:13:08.778781Z','2026-11-11','2026-11-18','示例重点项目01（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,NULL,NULL,NULL);
INSERT INTO "notices" VALUES(4,3,'intended_decision','2026-11-10T21:13:08.810355Z','2026-11-11','2026-11-18','光伏屋顶改造（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,NULL,NULL,NULL);
INSERT INTO "notices" VALUES(5,2,'decision','2026-12-01T21:13:08.829440Z','2026-12-02','2026-12-11','示例重点项目01（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,'approved','区环审〔2026〕1号',NULL);
INSERT INTO "notices" VALUES(6,3,'decision','2026-12-01T21:13:08.842651Z','2026-12-02','2026-12-11','光伏屋顶改造（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,'approved','区环审〔2026〕2号',NULL);
INSERT INTO "notices" VALUES(7,4,'decision','2026-12-01T21:13:08.870457Z','2026-12-02','2026-12-11','物流仓库新建（样例）','示例建设单位','示例街道','样例数据：演示用，非真实项目。',NULL,'rejected',NULL,NULL);
CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        text TEXT,
        photo BLOB,
        reply_markup TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'undeliverable')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        sent_at TEXT,
        last_error TEXT
    , kind TEXT NOT NULL DEFAULT 'message', event_id INTEGER REFERENCES audit_events (id), request_id INTEGER REFERENCES requests (id), edit_message_id INTEGER, method TEXT, payload TEXT);
INSERT INTO "outbox" VALUES(1,0,NULL,NULL,NULL,'2026-12-01T21:13:08.606611Z','pending',0,'',NULL,NULL,'event',1,1,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(2,0,NULL,NULL,NULL,'2026-10-06T21:13:08.634080Z','pending',0,'',NULL,NULL,'event',2,2,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(3,0,NULL,NULL,NULL,'2026-10-06T21:13:08.654009Z','pending',0,'',NULL,NULL,'event',3,3,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(4,0,NULL,NULL,NULL,'2026-12-01T21:13:08.657912Z','pending',0,'',NULL,NULL,'event',4,4,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(5,0,NULL,NULL,NULL,'2026-12-01T21:13:08.670183Z','pending',0,'',NULL,NULL,'event',5,5,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(6,0,NULL,NULL,NULL,'2026-12-01T21:13:08.685990Z','pending',0,'',NULL,NULL,'event',6,6,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(7,0,NULL,NULL,NULL,'2026-10-06T21:13:08.694727Z','pending',0,'',NULL,NULL,'event',7,2,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(8,0,NULL,NULL,NULL,'2026-10-06T21:13:08.710465Z','pending',0,'',NULL,NULL,'event',8,3,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(9,0,NULL,NULL,NULL,'2026-12-01T21:13:08.722544Z','pending',0,'',NULL,NULL,'event',9,4,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(10,0,NULL,NULL,NULL,'2026-12-01T21:13:08.736913Z','pending',0,'',NULL,NULL,'event',10,5,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(11,0,NULL,NULL,NULL,'2026-12-01T21:13:08.750497Z','pending',0,'',NULL,NULL,'event',11,6,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(12,0,NULL,NULL,NULL,'2026-11-10T21:13:08.770305Z','pending',0,'',NULL,NULL,'event',12,2,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(13,0,NULL,NULL,NULL,'2026-11-10T21:13:08.778781Z','pending',0,'',NULL,NULL,'event',13,2,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(14,0,NULL,NULL,NULL,'2026-11-10T21:13:08.794331Z','pending',0,'',NULL,NULL,'event',14,3,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(15,0,NULL,NULL,NULL,'2026-11-10T21:13:08.810355Z','pending',0,'',NULL,NULL,'event',15,3,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(16,0,NULL,NULL,NULL,'2026-12-01T21:13:08.829440Z','pending',0,'',NULL,NULL,'event',16,2,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(17,0,NULL,NULL,NULL,'2026-12-01T21:13:08.842651Z','pending',0,'',NULL,NULL,'event',17,3,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(18,0,NULL,NULL,NULL,'2026-12-01T21:13:08.854236Z','pending',0,'',NULL,NULL,'event',18,4,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(19,0,NULL,NULL,NULL,'2026-12-01T21:13:08.870457Z','pending',0,'',NULL,NULL,'event',19,4,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(20,0,NULL,NULL,NULL,'2026-12-01T21:13:08.878240Z','pending',0,'',NULL,NULL,'event',20,5,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(21,0,NULL,NULL,NULL,'2026-12-01T21:13:08.890400Z','pending',0,'',NULL,NULL,'event',21,5,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(22,0,NULL,NULL,NULL,'2026-12-01T21:13:08.902216Z','pending',0,'',NULL,NULL,'event',22,6,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(23,0,NULL,NULL,NULL,'2026-12-01T21:13:08.917945Z','pending',0,'',NULL,NULL,'event',23,7,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(24,0,NULL,NULL,NULL,'2026-12-01T21:13:08.934340Z','pending',0,'',NULL,NULL,'event',24,7,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(25,0,NULL,NULL,NULL,'2026-10-17T21:13:08.937894Z','pending',0,'',NULL,NULL,'event',25,8,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(26,0,NULL,NULL,NULL,'2026-10-17T21:13:08.950551Z','pending',0,'',NULL,NULL,'event',26,8,NULL,NULL,NULL);
INSERT INTO "outbox" VALUES(27,0,NULL,NULL,NULL,'2026-12-01T21:13:08.953579Z','pending',0,'',NULL,NULL,'event',27,8,NULL,NULL,NULL);
CREATE TABLE people (
        user_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        locale TEXT
    , seen_locale TEXT);
INSERT INTO "people" VALUES(1001,'王建设 (区水务集团)',NULL,NULL);
INSERT INTO "people" VALUES(1002,'Li Na (Eastport Energy)',NULL,NULL);
INSERT INTO "people" VALUES(2001,'张审批',NULL,NULL);
INSERT INTO "people" VALUES(2002,'Chen Review',NULL,NULL);
INSERT INTO "people" VALUES(9001,'刘科长 (admin)',NULL,NULL);
CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        at TEXT NOT NULL
    );
CREATE TABLE public_comments (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        notice_id INTEGER NOT NULL REFERENCES notices (id),
        kind TEXT NOT NULL CHECK (kind IN ('comment', 'hearing')),
        at TEXT NOT NULL,
        name TEXT NOT NULL,
        contact TEXT NOT NULL,
        text TEXT NOT NULL,
        state TEXT CHECK (state IN ('open', 'closed')),
        closed_at TEXT,
        closed_by INTEGER,
        outcome TEXT,
        CHECK ((kind = 'hearing') = (state IS NOT NULL))
    );
CREATE TABLE reminders_sent (
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (request_id, kind)
    );
CREATE TABLE replies (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        payload TEXT NOT NULL,
        file BLOB,
        request_id INTEGER,
        created_at TEXT NOT NULL
    );
CREATE TABLE request_counts (
        status TEXT NOT NULL,
        lane INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, lane)
    ) WITHOUT ROWID;
INSERT INTO "request_counts" VALUES('approved',0,1);
INSERT INTO "request_counts" VALUES('approved',1,1);
INSERT INTO "request_counts" VALUES('in_notice',0,0);
INSERT INTO "request_counts" VALUES('in_notice',1,0);
INSERT INTO "request_counts" VALUES('in_review',0,0);
INSERT INTO "request_counts" VALUES('in_review',1,1);
INSERT INTO "request_counts" VALUES('in_review',2,0);
INSERT INTO "request_counts" VALUES('incomplete',1,1);
INSERT INTO "request_counts" VALUES('incomplete',2,0);
INSERT INTO "request_counts" VALUES('needs_info',0,1);
INSERT INTO "request_counts" VALUES('received',0,0);
INSERT INTO "request_counts" VALUES('received',1,1);
INSERT INTO "request_counts" VALUES('received',2,0);
INSERT INTO "request_counts" VALUES('rejected',2,1);
INSERT INTO "request_counts" VALUES('returned',2,1);
INSERT INTO "request_counts" VALUES('submitted',0,0);
INSERT INTO "request_counts" VALUES('submitted',1,0);
INSERT INTO "request_counts" VALUES('submitted',2,0);
CREATE TABLE "requests" (
        id INTEGER PRIMARY KEY,
        applicant_id INTEGER NOT NULL,
        project_name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        contact_name TEXT NOT NULL,
        phone TEXT NOT NULL,
        category TEXT NOT NULL,
        document_type TEXT NOT NULL,
        investment TEXT NOT NULL,
        location TEXT NOT NULL,
        description TEXT NOT NULL,
        key_code TEXT,
        lane INTEGER NOT NULL CHECK (lane IN (0, 1, 2)),
        status TEXT NOT NULL CHECK (status IN ('received', 'incomplete', 'returned', 'submitted', 'in_review',
            'needs_info', 'resubmitted', 'excluded', 'signing', 'in_notice', 'approved', 'rejected', 'withdrawn')),
        version INTEGER NOT NULL,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        accepted_on TEXT NOT NULL,
        claimed_by INTEGER,
        decided_by INTEGER,
        decided_at TEXT,
        decided_on TEXT,
        approval_number TEXT,
        last_reason TEXT,
        paused_since TEXT,
        paused_working_days INTEGER NOT NULL DEFAULT 0,
        promised_due TEXT NOT NULL,
        statutory_due TEXT NOT NULL,
        client_key TEXT,
        received_on TEXT,
        listed_on TEXT,
        listed_documents INTEGER,
        signing_decision TEXT CHECK (signing_decision IN ('approve', 'reject')),
        signing_step INTEGER NOT NULL DEFAULT 0 CHECK (signing_step >= 0)
    );
INSERT INTO "requests" VALUES(1,1001,'城东污水处理厂扩建（样例）','示例建设单位','示例联系人','+86 138 0000 0000','infrastructure','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,1,'received',1,'2026-12-01T21:13:08.606611Z','2026-12-01T21:13:08.606611Z','2026-12-02',NULL,NULL,NULL,NULL,NULL,NULL,NULL,0,'2026-12-16','2027-01-14',NULL,'2026-12-02',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(2,1001,'示例重点项目01（样例）','示例建设单位','示例联系人','+86 138 0000 0000','livelihood','report','1200.00','示例街道','样例数据：演示用，非真实项目。','S01',0,'approved',5,'2026-10-06T21:13:08.634080Z','2026-12-01T21:13:08.829440Z','2026-10-08',2001,2001,'2026-12-01T21:13:08.829440Z','2026-12-02','区环审〔2026〕1号',NULL,NULL,0,'2026-11-11','2026-12-30',NULL,'2026-10-08',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(3,1002,'光伏屋顶改造（样例）','示例建设单位','示例联系人','+86 138 0000 0000','energy_saving','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,1,'approved',5,'2026-10-06T21:13:08.654009Z','2026-12-01T21:13:08.842651Z','2026-10-08',2001,2001,'2026-12-01T21:13:08.842651Z','2026-12-02','区环审〔2026〕2号',NULL,NULL,0,'2026-10-28','2026-11-18',NULL,'2026-10-08',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(4,1002,'物流仓库新建（样例）','示例建设单位','示例联系人','+86 138 0000 0000','other','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,2,'rejected',4,'2026-12-01T21:13:08.657912Z','2026-12-01T21:13:08.870457Z','2026-12-02',2001,2001,'2026-12-01T21:13:08.870457Z','2026-12-02',NULL,'选址位于饮用水源保护区（样例）',NULL,0,'2027-01-07','2027-01-14',NULL,'2026-12-02',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(5,1001,'示例重点项目02（样例）','示例建设单位','示例联系人','+86 138 0000 0000','infrastructure','report','1200.00','示例街道','样例数据：演示用，非真实项目。','S02',0,'needs_info',4,'2026-12-01T21:13:08.670183Z','2026-12-01T21:13:08.890400Z','2026-12-02',NULL,NULL,NULL,NULL,NULL,'请补充噪声监测报告（样例）','2026-12-02',0,'2026-12-30','2027-03-03',NULL,'2026-12-02',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(6,1002,'社区卫生服务中心（样例）','示例建设单位','示例联系人','+86 138 0000 0000','livelihood','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,1,'in_review',3,'2026-12-01T21:13:08.685990Z','2026-12-01T21:13:08.902216Z','2026-12-02',2001,NULL,NULL,NULL,NULL,NULL,NULL,0,'2026-12-16','2027-01-14',NULL,'2026-12-02',NULL,NULL,NULL,0);
INSERT INTO "requests" VALUES(7,1002,'美食街油烟净化改造（样例）','示例建设单位','示例联系人','+86 138 0000 0000','livelihood','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,1,'incomplete',2,'2026-12-01T21:13:08.917945Z','2026-12-01T21:13:08.934340Z','2026-12-02',NULL,NULL,NULL,NULL,NULL,'1. 规划选址意见（样例）
2. 噪声监测报告（样例）',NULL,0,'2026-12-16','2027-01-14',NULL,'2026-12-02','2026-12-02',1,NULL,0);
INSERT INTO "requests" VALUES(8,1001,'旧厂房改建仓储（样例）','示例建设单位','示例联系人','+86 138 0000 0000','other','report_form','1200.00','示例街道','样例数据：演示用，非真实项目。',NULL,2,'returned',3,'2026-10-17T21:13:08.937894Z','2026-12-01T21:13:08.953579Z','2026-10-19',NULL,NULL,NULL,NULL,NULL,'1. 建设项目备案文件（样例）',NULL,0,'2026-11-23','2026-11-30',NULL,'2026-10-19','2026-10-18',1,NULL,0);
CREATE TABLE "roles" (
        user_id INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('applicant', 'reviewer', 'admin', 'chief', 'director')),
        PRIMARY KEY (user_id, role)
    );
INSERT INTO "roles" VALUES(2001,'reviewer');
INSERT INTO "roles" VALUES(2002,'reviewer');
CREATE TABLE subscribers (
        user_id INTEGER PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        requested_at TEXT NOT NULL
    );
CREATE TABLE summary_runs (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (day, kind)
    );
CREATE TABLE undeliverable_chats (
        chat_id INTEGER PRIMARY KEY,
        since TEXT NOT NULL,
        reason TEXT NOT NULL
    );
CREATE INDEX attachments_request ON attachments (request_id, id);
CREATE INDEX audit_request ON audit_events (request_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE TRIGGER denials_no_update BEFORE UPDATE ON denials BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER denials_no_delete BEFORE DELETE ON denials BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE INDEX notes_request ON notes (request_id, id);
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE INDEX people_name ON people (name COLLATE NOCASE);
CREATE INDEX key_project_imports_pending ON key_project_imports (admin_id) WHERE status = 'pending';
CREATE INDEX file_copies_due ON file_copies (next_attempt_at, attachment_id) WHERE status = 'pending';
CREATE UNIQUE INDEX approval_numbers_number ON approval_numbers (number);
CREATE INDEX approval_numbers_request ON approval_numbers (request_id);
CREATE TRIGGER approval_numbers_no_update BEFORE UPDATE ON approval_numbers
        BEGIN SELECT RAISE(ABORT, 'issued approval numbers are append-only'); END;
CREATE TRIGGER approval_numbers_no_delete BEFORE DELETE ON approval_numbers
        BEGIN SELECT RAISE(ABORT, 'issued approval numbers are append-only'); END;
CREATE INDEX clock_stops_request ON clock_stops (request_id, id);
CREATE UNIQUE INDEX clock_stops_open ON clock_stops (request_id) WHERE ended_on IS NULL;
CREATE INDEX requests_decided ON requests (status, decided_on);
CREATE INDEX requests_applicant ON requests (applicant_id, id);
CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;
CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
CREATE INDEX requests_status_id ON requests (status, id);
CREATE INDEX requests_name ON requests (project_name COLLATE NOCASE);
CREATE INDEX requests_organisation ON requests (organisation COLLATE NOCASE);
CREATE INDEX requests_contact ON requests (contact_name COLLATE NOCASE);
CREATE TRIGGER request_counts_insert AFTER INSERT ON requests BEGIN
        INSERT INTO request_counts (status, lane, n) VALUES (new.status, new.lane, 1)
            ON CONFLICT (status, lane) DO UPDATE SET n = n + 1;
    END;
CREATE TRIGGER request_counts_update AFTER UPDATE OF status, lane ON requests
    WHEN old.status <> new.status OR old.lane <> new.lane BEGIN
        UPDATE request_counts SET n = n - 1 WHERE status = old.status AND lane = old.lane;
        INSERT INTO request_counts (status, lane, n) VALUES (new.status, new.lane, 1)
            ON CONFLICT (status, lane) DO UPDATE SET n = n + 1;
    END;
CREATE TRIGGER request_counts_delete AFTER DELETE ON requests BEGIN
        UPDATE request_counts SET n = n - 1 WHERE status = old.status AND lane = old.lane;
    END;
CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN ('received', 'submitted', 'resubmitted', 'in_review', 'in_notice');
CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN ('received', 'submitted', 'resubmitted', 'in_review', 'in_notice');
CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN ('received', 'submitted', 'resubmitted', 'in_review', 'in_notice');
CREATE INDEX notices_request ON notices (request_id, id);
CREATE INDEX notices_to_close ON notices (ends_on) WHERE closed_at IS NULL;
CREATE INDEX public_comments_request ON public_comments (request_id, id);
CREATE INDEX public_comments_open_hearings ON public_comments (request_id) WHERE state = 'open';
COMMIT;
